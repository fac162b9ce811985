import { resolve } from 'node:path';
import { type AwilixContainer, asFunction } from 'awilix';
import { createEventsService } from '../../core/app/views/events.service.js';
import { createMetricsService } from '../../core/app/views/metrics.service.js';
import { createStateService } from '../../core/app/views/state.service.js';
import { packageVersion } from '../package-layout.js';
import type { OrchestratorCradle } from './cradle.js';

type Cradle = OrchestratorCradle;
type StateKeys = 'storage' | 'clock' | 'config' | 'reconcile' | 'runnerMode' | 'connectionHealth';

/**
 * Observability: `/api/v1/state`, `/api/v1/runtime`, the SSE stream and `/metrics`. The
 * metrics service subscribes to the event bus when the container is built (every
 * registration is resolved at boot), so its counters start with the process.
 */
export function registerV1(container: AwilixContainer<Cradle>): void {
  const version = packageVersion();
  container.register({
    stateView: asFunction(({ storage, clock, config, reconcile, runnerMode, connectionHealth }: Pick<Cradle, StateKeys>) =>
      createStateService({
        storage,
        clock,
        config,
        reconcile,
        runnerMode,
        connectionHealth,
        version,
        host: { node: process.version, dataDir: resolve(config.dataDir) },
      }),
    ).singleton(),
    metrics: asFunction(
      ({
        storage,
        clock,
        eventBus,
        connectionHealth,
        usageMetrics,
      }: Pick<Cradle, 'storage' | 'clock' | 'eventBus' | 'connectionHealth' | 'usageMetrics'>) =>
        createMetricsService({ storage, clock, eventBus, connectionHealth, usageMetrics }),
    )
      .singleton()
      .disposer((metrics) => metrics.dispose()),
    eventStream: asFunction(({ eventBus, config }: Pick<Cradle, 'eventBus' | 'config'>) =>
      createEventsService({ eventBus, config }),
    )
      .singleton()
      .disposer((events) => events.dispose()),
  });
}
