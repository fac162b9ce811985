import { type AwilixContainer, asFunction } from 'awilix';
import { createNotifierDirectory } from '../../adapters/notifiers/notifier-directory.js';
import { createNotificationDelivery } from '../../core/app/operations/notification-delivery.js';
import { createNotificationsService } from '../../core/app/operations/notifications.service.js';
import { createPeriodicTask } from '../../core/app/operations/periodic-task.js';
import type { OrchestratorCradle } from './cradle.js';

type Cradle = OrchestratorCradle;

/** How often each replica's worker looks for due notifications (a new one also starts a round at once). */
export const NOTIFICATION_POLL_MS = 5_000;

/**
 * Notifications: the channels (global configuration, per-mapping overrides in the local secrets
 * store), the service that queues what the event bus says, and the delivery worker. The worker
 * holds no lease: every replica works the queue, and the store's claims keep each notification
 * to one of them.
 */
export function registerNotifications(container: AwilixContainer<Cradle>): void {
  container.register({
    notifierDirectory: asFunction(({ config, secrets, clock, logger }: Pick<Cradle, 'config' | 'secrets' | 'clock' | 'logger'>) =>
      createNotifierDirectory({
        config,
        secrets,
        now: () => clock.now(),
        warn: (message, fields) => logger.warn(message, fields),
      }),
    ).singleton(),
    notificationWorker: asFunction(
      (c: Pick<Cradle, 'storage' | 'clock' | 'ids' | 'logger' | 'notifierDirectory' | 'leaseOwner' | 'operationsMetrics'>) =>
        createPeriodicTask(
          'notification delivery',
          createNotificationDelivery({
            storage: c.storage,
            clock: c.clock,
            ids: c.ids,
            logger: c.logger,
            notifierDirectory: c.notifierDirectory,
            leaseOwner: c.leaseOwner,
            jitter: Math.random,
            onAttempt: (attempt) => c.operationsMetrics.notificationAttempt(attempt),
          }),
          c.logger,
        ),
    )
      .singleton()
      .disposer((worker) => worker.stop()),
    notifications: asFunction(
      (
        c: Pick<
          Cradle,
          'storage' | 'clock' | 'ids' | 'logger' | 'eventBus' | 'notifierDirectory' | 'config' | 'notificationWorker'
        >,
      ) =>
        createNotificationsService({
          storage: c.storage,
          clock: c.clock,
          ids: c.ids,
          logger: c.logger,
          eventBus: c.eventBus,
          notifierDirectory: c.notifierDirectory,
          config: c.config,
          kickDelivery: () => c.notificationWorker.run(),
        }),
    ).singleton(),
    notificationsListener: asFunction(({ notifications }: Pick<Cradle, 'notifications'>) => notifications.listen())
      .singleton()
      .disposer((unsubscribe) => unsubscribe()),
  });
}
