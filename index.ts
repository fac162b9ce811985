/**
 * The library entry of AI-Implement, for teams embedding the orchestrator: build it with
 * `createOrchestrator(config, overrides)`, bring your own adapters through the port types,
 * and use the pure core directly (planner, lifecycle, mapping and secret rules).
 *
 * ```ts
 * import { asValue, createOrchestrator, loadConfig } from 'ai-implement';
 * const config = loadConfig(process.env)._unsafeUnwrap();
 * const orchestrator = await createOrchestrator(config, { storage: asValue(myStorage) });
 * const res = await orchestrator.request('/healthz');
 * ```
 */

export { asClass, asFunction, asValue } from 'awilix';
export * from './core/domain/index.js';
export { type Config, describeConnections, loadConfig } from './hosts/config.js';
export { createOrchestrator, type Orchestrator, type OrchestratorOverrides } from './hosts/container.js';
export type { OrchestratorCradle } from './hosts/cradle.js';
export { registerOrchestratorWithAwilix } from './hosts/di/awilix.js';
export { EXPOSED_SERVICES } from './hosts/di/exposed-services.js';
export { AiImplementTokens, registerOrchestratorWithTsyringe } from './hosts/di/tsyringe.js';
export type { Agent } from './ports/agent.port.js';
export type { Clock } from './ports/clock.port.js';
export * from './ports/errors.js';
export type * from './ports/event-bus.port.js';
export type * from './ports/forge.port.js';
export type { Ids } from './ports/ids.port.js';
export type * from './ports/pipeline.port.js';
export type * from './ports/runner.port.js';
export type { Secrets } from './ports/secrets.port.js';
export type { Signer, Signing } from './ports/signer.port.js';
export { DISPATCH_LOG_LIMIT, type Storage } from './ports/storage.port.js';
export type * from './ports/ticketing.port.js';
export type * from './ports/webhook-verifier.port.js';
export type * from './ports/workflow-templates.port.js';
