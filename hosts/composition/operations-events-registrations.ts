import { type AwilixContainer, asFunction } from 'awilix';
import { createConnectorEventsService } from '../../core/app/operations/connector-events.service.js';
import { createConnectorReplayService } from '../../core/app/operations/connector-replay.service.js';
import { createSecurityEventsService } from '../../core/app/operations/security-events.service.js';
import { secretValues } from '../logger.js';
import type { OrchestratorCradle } from './cradle.js';
import { createOperationsMetrics } from './operations-metrics.js';

type Cradle = OrchestratorCradle;
type Keys = 'config' | 'storage' | 'clock' | 'ids' | 'logger' | 'operationsMetrics';

/** The connector event log, security events and their counters (issue 18). */
export function registerOperationsEvents(container: AwilixContainer<Cradle>): void {
  container.register({
    operationsMetrics: asFunction(createOperationsMetrics).singleton(),
    connectorEvents: asFunction(({ config, storage, clock, ids, logger, operationsMetrics }: Pick<Cradle, Keys>) => {
      const secrets = secretValues(config);
      return createConnectorEventsService({
        storage,
        clock,
        ids,
        logger,
        secretValues: () => secrets,
        onRecorded: (event) => operationsMetrics.connectorEvent(event),
      });
    })
      .singleton()
      .disposer((events) => events.flush()),
    securityEvents: asFunction(
      ({ config, storage, clock, ids, logger, operationsMetrics, connectorEvents }: Pick<Cradle, Keys | 'connectorEvents'>) => {
        const secrets = secretValues(config);
        const service = createSecurityEventsService({
          storage,
          clock,
          ids,
          logger,
          secretValues: () => secrets,
          onSignal: (signal, recorded) => operationsMetrics.securitySignal(signal, recorded),
        });
        operationsMetrics.watchBacklog(() => ({ connector: connectorEvents.backlog(), security: service.backlog() }));
        return service;
      },
    )
      .singleton()
      .disposer((events) => events.flush()),
    connectorReplay: asFunction(createConnectorReplayService).singleton(),
  });
}
