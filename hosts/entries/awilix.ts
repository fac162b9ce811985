/** `ai-implement/awilix`: registers a built core or orchestrator into a host's awilix container. */
export { registerOrchestratorWithAwilix } from '../di/awilix.js';
export { EXPOSED_SERVICES, type ExposedService } from '../di/exposed-services.js';
