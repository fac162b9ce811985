/**
 * The library entry of AI-Implement, for teams embedding the engine in their own Node service:
 * `createCore(deps, settings, overrides?)` builds it from ports and settings alone (no HTTP
 * framework is loaded), the port types let you bring your own adapters (a tracker or a runner
 * of your own as an override: `asValue`, `CoreOverrides`), `createOrchestrator(config, overrides?)`
 * builds the bundled server's core and h3 app (loaded when called), and the pure domain (planner,
 * dispatch decision, lifecycle, mapping and secret rules) is usable directly. The bundled h3
 * server is `ai-implement/h3`; container helpers are `ai-implement/awilix` and
 * `ai-implement/tsyringe`; the plugin API is `ai-implement/plugins`.
 *
 * ```ts
 * import { createCore, loadConfig, createStorage } from 'ai-implement';
 * const settings = loadConfig({ RUNNER_MODE: 'shadow' })._unsafeUnwrap();
 * const core = await createCore({ storage: await createStorage({ dataDir: '.', storageUrl: 'memory:' }) }, settings);
 * const report = await core.cradle.reconcile.request();
 * ```
 */

export { asClass, asFunction, asValue } from 'awilix';
export { createStorage } from './adapters/storage/create-storage.js';
export type { CoreSettings } from './core/app/core-settings.js';
export * from './core/domain/index.js';
export type { OrchestratorCradle } from './hosts/composition/cradle.js';
export { type Core, type CoreDeps, type CoreOverrides, createCore } from './hosts/composition/create-core.js';
export { type Config, describeConnections, loadConfig } from './hosts/config.js';
export { createOrchestrator, type Orchestrator, type OrchestratorOverrides } from './hosts/entries/orchestrator.js';
export { PluginLoadError } from './plugins/plugin-loader.js';
export type { Agent } from './ports/agent.port.js';
export type { Clock } from './ports/clock.port.js';
export * from './ports/errors.js';
export type * from './ports/event-bus.port.js';
export type * from './ports/forge.port.js';
export type { Ids } from './ports/ids.port.js';
export type { Logger } from './ports/logger.port.js';
export type * from './ports/pipeline.port.js';
export type * from './ports/runner.port.js';
export type { Secrets } from './ports/secrets.port.js';
export type { Signer, Signing } from './ports/signer.port.js';
export * from './ports/storage.port.js';
export type * from './ports/ticketing.port.js';
export type * from './ports/webhook-verifier.port.js';
export type * from './ports/workflow-templates.port.js';
