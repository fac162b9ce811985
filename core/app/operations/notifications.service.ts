import { err, ok, type Result } from 'neverthrow';
import type { Clock } from '../../../ports/clock.port.js';
import type { EventBus, OrchestratorEvent } from '../../../ports/event-bus.port.js';
import type { Ids } from '../../../ports/ids.port.js';
import type { Logger } from '../../../ports/logger.port.js';
import type { NotificationQuery, QueuedNotification } from '../../../ports/notification-queue.port.js';
import type { NotificationChannel, NotifierDirectory } from '../../../ports/notifier.port.js';
import { type Storage, StorageError } from '../../../ports/storage.port.js';
import { messageForJob, type NotificationMessage } from '../../domain/notifications.js';
import { redactSecrets } from '../../domain/redaction.js';
import { type CoreSettings, secretValues } from '../core-settings.js';
import { attemptOf, type DeliveryRound } from './notification-delivery.js';
import { messageForEvent } from './notification-messages.js';
import { TaskStoppedError } from './periodic-task.js';

export interface NotificationsDeps {
  storage: Storage;
  clock: Clock;
  ids: Ids;
  logger: Logger;
  eventBus: EventBus;
  notifierDirectory: NotifierDirectory;
  config: Pick<CoreSettings, 'publicUrl'> & Parameters<typeof secretValues>[0];
  /** Runs a delivery round now (the worker's single-flight run): called after each enqueue. */
  kickDelivery: () => Promise<DeliveryRound>;
}

export interface NotificationsPage {
  notifications: QueuedNotification[];
  total: number;
  limit: number;
  offset: number;
  channels: Record<NotificationChannel, boolean>;
}

export interface TestSendAnswer {
  id: string;
  channel: NotificationChannel;
  delivered: boolean;
  status?: number;
  detail: string;
  durationMs: number;
}

export interface NotificationsService {
  /** Turns bus events into queued notifications; returns the unsubscribe. Started by the composition. */
  listen(): () => void;
  /** Queues `message` for every route of its team opted in to its kind; resolves how many were queued. */
  notify(message: NotificationMessage): Promise<number>;
  list(query: NotificationQuery): Promise<NotificationsPage>;
  /** Sends a test message through a globally configured channel at once, and records the attempt. */
  sendTest(channel: NotificationChannel): Promise<Result<TestSendAnswer, { kind: 'invalid'; message: string }>>;
  /** Resolves once every event received so far has been turned into queued notifications. */
  idle(): Promise<void>;
}

const JOB_EVENTS = new Set(['job.failed', 'job.timed_out', 'job.review_failed', 'job.completed']);

/**
 * Notifications (issue 18): what the event bus says, judged worth an operator's attention,
 * queued in storage for every configured channel (globally or by the mapping's routing) and
 * delivered by the worker (notification-delivery.ts). Listening never blocks a publisher: the
 * bus does not wait for it, and the queue's write is all it does before returning.
 */
export function createNotificationsService(deps: NotificationsDeps): NotificationsService {
  const { storage, clock, ids, logger, eventBus, notifierDirectory, config, kickDelivery } = deps;
  const adminUrl = `${config.publicUrl}/admin`;
  const secrets = secretValues(config);
  const pending = new Set<Promise<unknown>>();

  const redacted = (message: NotificationMessage): NotificationMessage => ({
    ...message,
    title: redactSecrets(message.title, secrets),
    text: redactSecrets(message.text, secrets),
    ...(message.reason !== undefined ? { reason: redactSecrets(message.reason, secrets) } : {}),
  });

  async function messageFor(event: OrchestratorEvent): Promise<NotificationMessage | undefined> {
    if (!JOB_EVENTS.has(event.type)) return messageForEvent(event, adminUrl);
    if (!event.jobId) return undefined;
    const job = await storage.jobs.get(event.jobId);
    if (!job) return undefined;
    if (job.status === 'completed' && job.phase !== 'planning') return undefined;
    const autoApprovePlans =
      job.status === 'completed' ? ((await storage.mappings.get(job.teamKey))?.autoApprovePlans ?? false) : false;
    return messageForJob(job, { at: event.at, autoApprovePlans, adminUrl });
  }

  /** Deterministic for a job's event, so an event seen twice (a replayed callback) is queued once. */
  const idFor = (message: NotificationMessage, channel: NotificationChannel, event?: OrchestratorEvent) =>
    event?.jobId && JOB_EVENTS.has(event.type) ? `${message.kind}.${event.jobId}.${channel}` : `${ids.newId()}.${channel}`;

  async function enqueue(message: NotificationMessage, event?: OrchestratorEvent): Promise<number> {
    const routes = (await notifierDirectory.routes(message.teamKey)).filter((r) => r.kinds.includes(message.kind));
    const clean = redacted(message);
    for (const route of routes) {
      await storage.notifications.enqueue({
        id: idFor(clean, route.channel, event),
        channel: route.channel,
        ...(route.route ? { route: route.route } : {}),
        message: clean,
        createdAt: clock.now(),
      });
    }
    // Stopped (shutting down): the notification stays queued for the next start's rounds.
    if (routes.length > 0)
      kickDelivery().catch((error) => {
        if (!(error instanceof TaskStoppedError)) logger.warn('notification delivery round failed', { error });
      });
    return routes.length;
  }

  /** With the store down the queue cannot take it: one direct attempt per route, not retried. */
  async function sendDirectly(message: NotificationMessage): Promise<void> {
    const routes = (await notifierDirectory.routes(undefined)).filter((r) => r.kinds.includes(message.kind));
    await Promise.all(
      routes.map(async (route) => {
        const notifier = await notifierDirectory.notifier(route.channel, route.route);
        const result = await notifier?.send(redacted(message), `${ids.newId()}.${route.channel}`);
        if (result && !result.ok) logger.warn('direct notification failed', { channel: route.channel, error: result.error });
      }),
    );
  }

  async function handle(event: OrchestratorEvent): Promise<void> {
    const message = await messageFor(event);
    if (!message) return;
    try {
      await enqueue(message, event);
    } catch (error) {
      if (message.kind === 'storage.unreachable' && error instanceof StorageError) return sendDirectly(message);
      throw error;
    }
  }

  function track(work: Promise<unknown>) {
    pending.add(work);
    work.catch((error) => logger.warn('a notification could not be queued', { error })).finally(() => pending.delete(work));
  }

  return {
    listen: () => eventBus.subscribe((event) => track(handle(event))),
    notify: (message) => enqueue(message),
    async list(query) {
      const [notifications, total] = await Promise.all([
        storage.notifications.list(query),
        storage.notifications.count({
          ...(query.status ? { status: query.status } : {}),
          ...(query.channel ? { channel: query.channel } : {}),
        }),
      ]);
      return { notifications, total, limit: query.limit, offset: query.offset ?? 0, channels: notifierDirectory.configured() };
    },
    async sendTest(channel) {
      const notifier = notifierDirectory.configured()[channel] ? await notifierDirectory.notifier(channel) : undefined;
      if (!notifier) return err({ kind: 'invalid', message: `Notification channel not configured: ${channel}` });
      const at = clock.now();
      const id = `test.${ids.newId()}.${channel}`;
      const message: NotificationMessage = {
        kind: 'test',
        at,
        title: 'Test notification from AI-Implement',
        text: 'An operator sent this test message from the admin. If you can read it, this channel works.',
        links: [{ label: 'Admin', url: `${adminUrl}#notifications` }],
      };
      const result = await notifier.send(message, id);
      const done = clock.now();
      const attempt = attemptOf(result, at, done - at);
      await storage.notifications
        .record({
          id,
          channel,
          message,
          status: result.ok ? 'delivered' : 'failed',
          createdAt: at,
          updatedAt: done,
          nextAttemptAt: done,
          attempts: [attempt],
          attemptCount: 1,
        })
        .catch((error) => logger.warn('the test notification could not be recorded', { error }));
      return ok({
        id,
        channel,
        delivered: result.ok,
        ...(result.status !== undefined ? { status: result.status } : {}),
        detail: attempt.detail,
        durationMs: attempt.durationMs,
      });
    },
    async idle() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
  };
}
