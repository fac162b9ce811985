import { ok } from 'neverthrow';
import { z } from 'zod';
import type { NotificationsService } from '../../../core/app/operations/notifications.service.js';
import { NOTIFICATION_CHANNELS, NOTIFICATION_KINDS } from '../../../core/domain/notifications.js';
import type { HttpError } from '../errors.js';
import { routesFor } from '../route.js';
import { millis } from '../schemas/components.schema.js';

export interface NotificationsRoutesDeps {
  notifications: NotificationsService;
}

const STATUSES = ['pending', 'sending', 'delivered', 'failed'] as const;
const CHANNEL_MESSAGE = `channel must be one of: ${NOTIFICATION_CHANNELS.join(', ')}`;
const channel = z.enum(NOTIFICATION_CHANNELS, { error: CHANNEL_MESSAGE });

const listQuery = z.object({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .transform((n) => Math.min(n, 1000))
    .catch(50)
    .describe('How many (1–1000, default 50)'),
  offset: z.coerce.number().int().min(0).catch(0).describe('How many to skip (default 0)'),
  status: z.enum(STATUSES, { error: `status must be one of: ${STATUSES.join(', ')}` }).optional(),
  channel: channel.optional(),
});

const Attempt = z.object({
  at: millis(),
  ok: z.boolean(),
  durationMs: z.number().int(),
  status: z.number().int().optional().describe('The HTTP or SMTP status, when the receiver answered'),
  detail: z.string().describe('What the receiver answered, or why the attempt failed'),
});

const Message = z.object({
  kind: z.enum(NOTIFICATION_KINDS),
  title: z.string(),
  text: z.string(),
  at: millis(),
  teamKey: z.string().optional(),
  issue: z.string().optional(),
  stage: z.string().optional(),
  reason: z.string().optional(),
  links: z.array(z.object({ label: z.string(), url: z.string() })),
});

const Notification = z.object({
  id: z.string(),
  channel,
  route: z.string().optional().describe('The mapping whose override chose the target; absent for the global one'),
  message: Message,
  status: z.enum(STATUSES),
  createdAt: millis(),
  updatedAt: millis(),
  nextAttemptAt: millis().describe('Pending: when the next attempt may start'),
  attemptCount: z.number().int(),
  attempts: z.array(Attempt).describe('The newest attempts (at most 20)'),
});

const Channels = z
  .object({ slack: z.boolean(), webhook: z.boolean(), email: z.boolean() })
  .describe('Which channels have a global configuration');

const route = routesFor<NotificationsRoutesDeps>();

/** Admin "Notifications": the delivery queue with every attempt, and a test message per channel. */
export const notificationsRoutes = [
  route({
    method: 'get',
    path: '/api/notifications',
    operationId: 'listNotifications',
    tag: 'Notifications',
    summary: 'The notification queue, newest first, with every attempt',
    description:
      'Notifications queued for Slack, the signed webhook and e-mail, with their status and attempts. Finished ones are kept 7 days, and never more than 10,000 in all.',
    query: listQuery,
    responses: {
      200: z.object({
        notifications: z.array(Notification),
        total: z.number().int(),
        limit: z.number().int(),
        offset: z.number().int(),
        channels: Channels,
      }),
    },
    errors: [
      { kind: 'invalid', message: `status must be one of: ${STATUSES.join(', ')}` },
      { kind: 'invalid', message: CHANNEL_MESSAGE },
    ],
    handler: async ({ query }, { notifications }) =>
      ok(
        await notifications.list({
          limit: query.limit,
          offset: query.offset,
          ...(query.status ? { status: query.status } : {}),
          ...(query.channel ? { channel: query.channel } : {}),
        }),
      ),
  }),
  route({
    method: 'post',
    path: '/api/notifications/test',
    operationId: 'sendTestNotification',
    tag: 'Notifications',
    summary: 'Sends a test message through a configured channel and answers what happened',
    description:
      'The message is sent at once (not queued) and recorded with its attempt. `delivered: false` says the receiver refused it or did not answer; `detail` says how.',
    body: {
      schema: z.object({ channel: z.enum(NOTIFICATION_CHANNELS) }),
      invalid: (): HttpError => ({ kind: 'invalid', message: CHANNEL_MESSAGE }),
      read: 'object',
    } as const,
    responses: {
      200: z.object({
        id: z.string(),
        channel,
        delivered: z.boolean(),
        status: z.number().int().optional(),
        detail: z.string(),
        durationMs: z.number().int(),
      }),
    },
    errors: [
      { kind: 'invalidBody' },
      { kind: 'invalid', message: CHANNEL_MESSAGE },
      { kind: 'invalid', message: 'Notification channel not configured: {channel}' },
    ],
    handler: async ({ body }, { notifications }) => notifications.sendTest(body.channel),
  }),
];
