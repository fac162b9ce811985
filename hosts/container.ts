import { type AwilixContainer, asFunction, asValue, createContainer, InjectionMode, type Resolver } from 'awilix';
import { createInProcessEventBus } from '../adapters/event-bus/in-process.adapter.js';
import { createStorage } from '../adapters/storage/create-storage.js';
import { createCryptoIds } from '../adapters/system/crypto-ids.adapter.js';
import { createSystemClock } from '../adapters/system/system-clock.adapter.js';
import { registerCallbacks } from './callback-registrations.js';
import type { Config } from './config.js';
import type { OrchestratorCradle } from './cradle.js';
import { registerGithub } from './github-registrations.js';
import { createHttpApp } from './http/app.js';
import { registerIssueControl } from './issue-control-registrations.js';
import { createLogger, secretValues } from './logger.js';
import { registerPipelines } from './pipelines-registrations.js';
import { registerRunners } from './runner-registrations.js';
import { createAdminAuthService } from './http/admin-auth.service.js';
import { createMappingsService } from '../core/app/operations/mappings.service.js';
import { registerV1 } from './v1-registrations.js';
import { registerWork } from './work-registrations.js';

/** Replacements for any registration, as awilix resolvers (`asValue(myStorage)`, `asFunction(…)`). */
export type OrchestratorOverrides = { [K in keyof OrchestratorCradle]?: Resolver<OrchestratorCradle[K]> };

export interface Orchestrator {
  readonly container: AwilixContainer<OrchestratorCradle>;
  readonly cradle: OrchestratorCradle;
  /** The whole HTTP surface as a fetch handler (for srvx, tests, or an embedding server). */
  fetch(request: Request): Promise<Response>;
  /** Socket-free request: `request('/healthz')`. */
  request(path: string, init?: RequestInit): Promise<Response>;
  /** Starts the background work: the reconcile loop every POLL_INTERVAL_MS. */
  start(): void;
  /** Disposes the container: closes storage and every other resource. Safe to call twice. */
  dispose(): Promise<void>;
}

/**
 * The composition root: one strict awilix container built from validated config. Storage is
 * opened here (it is asynchronous) unless an override supplies one; an override supplied as
 * a value is the embedder's to close. Every registration is resolved once before returning,
 * so a wiring mistake fails at boot rather than on the first request.
 */
export async function createOrchestrator(config: Config, overrides: OrchestratorOverrides = {}): Promise<Orchestrator> {
  const container = createContainer<OrchestratorCradle>({ injectionMode: InjectionMode.PROXY, strict: true });
  container.register({
    config: asValue(config),
    clock: asFunction(createSystemClock).singleton(),
    ids: asFunction(createCryptoIds).singleton(),
    logger: asFunction(({ config }: Pick<OrchestratorCradle, 'config'>) =>
      createLogger({ secrets: secretValues(config) }),
    ).singleton(),
    eventBus: asFunction(({ logger }: Pick<OrchestratorCradle, 'logger'>) =>
      createInProcessEventBus((error) => logger.error('event listener failed', { error })),
    ).singleton(),
    adminAuth: asFunction(createAdminAuthService).singleton(),
    mappings: asFunction(createMappingsService).singleton(),
    httpApp: asFunction(createHttpApp).singleton(),
  });
  registerWork(container);
  registerIssueControl(container);
  registerV1(container);
  registerCallbacks(container);
  registerGithub(container);
  registerRunners(container);
  for (const [name, resolver] of Object.entries(overrides)) {
    if (resolver) container.register(name, resolver as Resolver<unknown>);
  }
  // After the overrides: it honours an overridden customDir or pluginCatalog.
  await registerPipelines(container);

  if (!overrides.storage) {
    const clock = container.resolve('clock');
    const storage = await createStorage({
      dataDir: config.dataDir,
      ...(config.storageUrl ? { storageUrl: config.storageUrl } : {}),
      now: () => clock.now(),
    });
    container.register(
      'storage',
      asFunction(() => storage)
        .singleton()
        .disposer((s) => s.close()),
    );
  }

  try {
    for (const name of Object.keys(container.registrations)) container.resolve(name);
  } catch (error) {
    await container.dispose();
    throw error;
  }

  let disposed: Promise<void> | undefined;
  const app = container.resolve('httpApp');
  return {
    container,
    cradle: container.cradle,
    fetch: async (request) => app.fetch(request),
    request: async (path, init) => app.request(path, init),
    start: () => {
      container.cradle.reconcile.start(config.pollIntervalMs);
      container.cradle.runWatcher.start(config.pollIntervalMs);
      container.cradle.reaper.start(config.pollIntervalMs);
    },
    dispose: () => {
      // Background work stops first, so nothing touches storage while it closes.
      disposed ??= Promise.all([
        container.cradle.reconcile.stop(),
        container.cradle.runWatcher.stop(),
        container.cradle.reaper.stop(),
      ]).then(() => container.dispose());
      return disposed;
    },
  };
}
