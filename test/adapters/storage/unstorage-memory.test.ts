import { createUnstorageStorage } from '../../../adapters/storage/unstorage/unstorage.adapter.js';
import { storageContract } from '../../../testing/contracts/storage.contract.js';

// Memory keeps nothing once closed, so it declares no durability and the close-and-reopen
// test is not registered for it.
storageContract('unstorage memory', async (now) => ({ storage: await createUnstorageStorage({ driver: 'memory' }, { now }) }));
