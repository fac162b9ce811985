/** `ai-implement/tsyringe`: registers a built core or orchestrator into a tsyringe container (loads reflect-metadata). */

export { EXPOSED_SERVICES, type ExposedService } from '../di/exposed-services.js';
export { AiImplementTokens, registerOrchestratorWithTsyringe } from '../di/tsyringe.js';
