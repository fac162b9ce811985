/** `ai-implement/h3`: the bundled server — the core plus its h3 app (`orchestrator.app`, `fetch`). */
export { createOrchestrator, type HostCradle, type Orchestrator, type OrchestratorOverrides } from '../container.js';
export { createHttpApp } from '../http/app.js';
