import { hostname } from 'node:os';
import { type AwilixContainer, asFunction, asValue, createContainer, InjectionMode, type Resolver } from 'awilix';
import { createInProcessEventBus } from '../../adapters/event-bus/in-process.adapter.js';
import { watchStorage } from '../../adapters/storage/storage-availability.js';
import { createCryptoIds } from '../../adapters/system/crypto-ids.adapter.js';
import { createSystemClock } from '../../adapters/system/system-clock.adapter.js';
import type { CoreSettings } from '../../core/app/core-settings.js';
import { createMappingsService } from '../../core/app/operations/mappings.service.js';
import { answerWithin } from '../../core/app/operations/operator-deadline.js';
import { WORKSPACE_SWEEP_MS } from '../../core/app/operations/workspaces.service.js';
import type { Clock } from '../../ports/clock.port.js';
import type { EventBus } from '../../ports/event-bus.port.js';
import type { Ids } from '../../ports/ids.port.js';
import type { Logger } from '../../ports/logger.port.js';
import type { Storage } from '../../ports/storage.port.js';
import { createLogger, secretValues } from '../logger.js';
import { createReadiness } from '../readiness.js';
import { registerCallbacks } from './callback-registrations.js';
import type { OrchestratorCradle } from './cradle.js';
import { registerGithub } from './github-registrations.js';
import { registerIssueControl } from './issue-control-registrations.js';
import { NOTIFICATION_POLL_MS, registerNotifications } from './notifications-registrations.js';
import { openStorage } from './open-storage.js';
import { registerOperationsEvents } from './operations-events-registrations.js';
import { registerPipelines } from './pipelines-registrations.js';
import { registerRunners } from './runner-registrations.js';
import { registerUsage } from './usage-registrations.js';
import { applyStoredOverlay, registerV1Operations } from './v1-operations-registrations.js';
import { registerV1 } from './v1-registrations.js';
import { HELD_EFFECTS_POLL_MS, registerWork } from './work-registrations.js';

/** Replacements for any registration, as awilix resolvers (`asValue(myStorage)`, `asFunction(…)`). */
export type CoreOverrides = { [K in keyof OrchestratorCradle]?: Resolver<OrchestratorCradle[K]> };

/**
 * The ports an embedder may bring; each one left out is built from the settings (storage from
 * `dataDir`/`storageUrl`, the system clock, crypto ids, a JSON logger that redacts the settings'
 * secrets, an in-process event bus). A storage passed in is the embedder's to close.
 */
export interface CoreDeps {
  storage?: Storage;
  clock?: Clock;
  ids?: Ids;
  logger?: Logger;
  eventBus?: EventBus;
}

/** The engine without any HTTP host: the use cases in `cradle`, the background work in `start`. */
export interface Core {
  readonly container: AwilixContainer<OrchestratorCradle>;
  readonly cradle: OrchestratorCradle;
  /** Starts the background work: the reconcile loop, run watcher and reaper every POLL_INTERVAL_MS. */
  start(): void;
  /**
   * Stops starting new work at once (no new cycle, sweep or dispatch; readiness says so) and
   * resolves when the work already running has ended and its leases are released. Storage stays
   * open for requests still in flight. Safe to call twice.
   */
  stop(): Promise<void>;
  /**
   * Stops the background work, then disposes the container (closes what it opened). Safe to call
   * twice. With `waitForWorkMs`, work still running after that long does not hold the close: it
   * then fails on the closed store as a crash at that point would, and what it left (a claimed
   * notification, a job not yet launched) is taken up by the next start.
   */
  dispose(options?: { waitForWorkMs?: number }): Promise<void>;
}

/**
 * Builds the engine from ports and settings alone — no HTTP framework is loaded. This is what
 * teams embed; the bundled server (`ai-implement/h3`) adds its h3 app on top. `overrides`
 * replaces any other registration with an awilix resolver — a ticketing system of your own
 * (`ticketingRegistry: asValue({ get, kinds })`), a runner (`runnerRegistry`) — as
 * `createOrchestrator(config, overrides)` does; a port in `deps` wins over an override of it.
 */
export async function createCore(deps: CoreDeps, settings: CoreSettings, overrides: CoreOverrides = {}): Promise<Core> {
  const merged: CoreOverrides = { ...overrides };
  for (const [key, value] of Object.entries(deps)) {
    if (value !== undefined) (merged as Record<string, Resolver<unknown>>)[key] = asValue(value);
  }
  return buildCore(settings, merged);
}

/**
 * The composition root: one strict awilix container built from validated settings. Storage is
 * opened here (it is asynchronous) unless an override supplies one. Every registration is
 * resolved once before returning, so a wiring mistake fails at boot rather than on first use.
 * `extra` registers a host's own services (the h3 app) before that check.
 */
export async function buildCore(
  settings: CoreSettings,
  overrides: CoreOverrides,
  extra?: (container: AwilixContainer<OrchestratorCradle>) => void,
): Promise<Core> {
  const container = createContainer<OrchestratorCradle>({ injectionMode: InjectionMode.PROXY, strict: true });
  container.register({
    config: asValue(settings),
    clock: asFunction(createSystemClock).singleton(),
    ids: asFunction(createCryptoIds).singleton(),
    logger: asFunction(() =>
      createLogger({ secrets: secretValues(settings), ...(settings.logLevel ? { level: settings.logLevel } : {}) }),
    ).singleton(),
    eventBus: asFunction(({ logger }: Pick<OrchestratorCradle, 'logger'>) =>
      createInProcessEventBus((error) => logger.error('event listener failed', { error })),
    ).singleton(),
    // Stable across a restart of the same node, distinct for two replicas on one host.
    leaseOwner: asValue(`${hostname()}:${settings.port}`),
    mappings: asFunction(createMappingsService).singleton(),
    readiness: asFunction(createReadiness).singleton(),
  });
  registerWork(container);
  registerIssueControl(container);
  registerV1(container);
  registerV1Operations(container, settings);
  registerCallbacks(container);
  registerUsage(container);
  registerGithub(container);
  registerRunners(container);
  registerOperationsEvents(container);
  registerNotifications(container);
  extra?.(container);
  for (const [name, resolver] of Object.entries(overrides)) {
    if (resolver) container.register(name, resolver as Resolver<unknown>);
  }
  // After the overrides: it honours an overridden customDir or pluginCatalog.
  await registerPipelines(container);

  await registerStorage(container, settings, Boolean(overrides.storage));

  try {
    await applyStoredOverlay(container, settings);
    for (const name of Object.keys(container.registrations)) container.resolve(name);
  } catch (error) {
    await container.dispose();
    throw error;
  }

  let stopped: Promise<void> | undefined;
  let disposed: Promise<void> | undefined;
  const { cradle } = container;
  const stop = () => {
    stopped ??= (async () => {
      cradle.readiness.stopping();
      // Open event streams never finish on their own: end them, so the server's drain is not held.
      cradle.eventStream.endAll();
      await Promise.all([
        cradle.reconcile.stop(),
        cradle.runWatcher.stop(),
        cradle.reaper.stop(),
        cradle.workspaceSweep.stop(),
        cradle.notificationWorker.stop(),
        cradle.heldEffectsRetry.stop(),
      ]);
    })();
    return stopped;
  };
  return {
    container,
    cradle,
    start: () => {
      cradle.readiness.started();
      cradle.reconcile.start(settings.pollIntervalMs);
      cradle.runWatcher.start(settings.pollIntervalMs);
      cradle.reaper.start(settings.pollIntervalMs);
      cradle.workspaceSweep.start(WORKSPACE_SWEEP_MS);
      cradle.notificationWorker.start(NOTIFICATION_POLL_MS);
      cradle.heldEffectsRetry.start(HELD_EFFECTS_POLL_MS);
    },
    stop,
    dispose: ({ waitForWorkMs } = {}) => {
      // Background work stops first, so nothing touches storage while it closes.
      disposed ??= settledWithin(stop(), waitForWorkMs).then(() => container.dispose());
      return disposed;
    },
  };
}

/**
 * Registers `storage` watched for availability (`storageAvailability`): the one opened from the
 * settings (DATA_DIR and the store checked first; closed with the container), or the one an
 * override supplies (the embedder's to close).
 */
async function registerStorage(
  container: AwilixContainer<OrchestratorCradle>,
  settings: CoreSettings,
  overridden: boolean,
): Promise<void> {
  const clock = container.resolve('clock');
  const logger = container.resolve('logger');
  const now = () => clock.now();
  const opened = overridden
    ? { storage: container.resolve('storage'), description: 'the storage passed in', kind: 'embedded' }
    : await openStorage(settings, { logger, now });
  const eventBus = container.resolve('eventBus');
  const { storage, availability } = watchStorage(opened.storage, {
    description: opened.description,
    kind: opened.kind,
    logger,
    now,
    // The notification for it cannot wait in the queue (the queue is in the store): see notifications.service.ts.
    onUnavailable: ({ since, reason }) =>
      eventBus.publish({ type: 'storage.unavailable', at: since, data: { store: opened.kind, reason } }),
  });
  container.register({
    storage: overridden
      ? asValue(storage)
      : asFunction(() => storage)
          .singleton()
          .disposer((s) => s.close()),
    storageAvailability: asValue(availability),
  });
}

/** Resolves when `work` settles, or after `ms` (when given) if it has not. */
export async function settledWithin(work: Promise<unknown>, ms: number | undefined): Promise<void> {
  const settled = work.then(
    () => undefined,
    () => undefined,
  );
  await (ms === undefined ? settled : answerWithin(settled, ms, () => undefined));
}
