export { createMutex, type Mutex } from '../storage/mutex.js';
