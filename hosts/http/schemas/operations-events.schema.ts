import { z } from 'zod';
import { CONNECTOR_OUTCOMES, CONNECTOR_SOURCES } from '../../../core/domain/connector-events.js';
import { PROBE_CLASSES } from '../../../core/domain/probe-classification.js';
import { SECURITY_KINDS, SECURITY_STATUSES } from '../../../core/domain/security-events.js';
import { millis } from './components.schema.js';

export const MAX_PAGE = 200;

/** A query parameter that is a whole number in [min, max], with the message naming it. */
export const wholeNumber = (name: string, min: number, max: number) =>
  z
    .string()
    .refine((v) => /^\d+$/.test(v) && Number(v) >= min && Number(v) <= max, {
      error: `${name} must be an integer from ${min} to ${max}`,
    })
    .transform(Number);

const since = z
  .string()
  .refine((v) => /^\d+$/.test(v) || !Number.isNaN(Date.parse(v)), {
    error: 'since must be epoch milliseconds or an ISO 8601 time',
  })
  .transform((v) => (/^\d+$/.test(v) ? Number(v) : Date.parse(v)))
  .describe('Epoch milliseconds or an ISO 8601 time');

const paging = {
  limit: wholeNumber('limit', 1, MAX_PAGE).optional().describe(`1–${MAX_PAGE}, default 50`),
  offset: wholeNumber('offset', 0, Number.MAX_SAFE_INTEGER).optional(),
};

const oneOf = <T extends readonly [string, ...string[]]>(name: string, values: T) =>
  z.enum(values, { error: `${name} must be one of ${values.join(', ')}` });

export const ConnectorEventsQuery = z.object({
  source: oneOf('source', CONNECTOR_SOURCES).optional(),
  outcome: oneOf('outcome', CONNECTOR_OUTCOMES).optional(),
  direction: oneOf('direction', ['inbound', 'outbound'] as const).optional(),
  since: since.optional(),
  ...paging,
});

const Retry = z.object({
  attempts: z.number().int(),
  state: z.enum(['retrying', 'gave_up', 'recovered']),
  lastError: z.string(),
  lastAttemptAt: millis(),
});

const connectorFields = {
  id: z.string(),
  direction: z.enum(['inbound', 'outbound']),
  source: z.enum(CONNECTOR_SOURCES),
  deliveryId: z.string().optional().describe('X-GitHub-Delivery, or Linear’s webhookId@webhookTimestamp'),
  event: z.string().optional(),
  action: z.string().optional(),
  receivedAt: millis(),
  signature: z.enum(['verified', 'invalid', 'missing', 'not_configured', 'not_applicable']),
  outcome: z.enum(CONNECTOR_OUTCOMES),
  reason: z.string().optional(),
  caused: z.object({ jobIds: z.array(z.string()), teams: z.array(z.string()) }),
  latencyMs: z.number().int(),
  bodyBytes: z.number().int(),
  bodyTruncated: z.boolean(),
  replayOf: z.string().optional(),
  target: z.string().optional().describe('Outbound: the issue or job the call was for'),
  retry: Retry.optional().describe('Outbound: attempts and whether it is still retried'),
};

export const ConnectorEventSummary = z.object(connectorFields).meta({ id: 'ConnectorEventSummary' });
export const ConnectorEvent = z
  .object({
    ...connectorFields,
    body: z.string().optional().describe('Redacted of secrets, cut at 16 KiB; verified deliveries only'),
  })
  .meta({ id: 'ConnectorEvent' });

export const ConnectorEventPage = z.object({
  events: z.array(ConnectorEventSummary).describe('Newest first'),
  total: z.number().int(),
  limit: z.number().int(),
  offset: z.number().int(),
});

export const ReplayAnswer = z.object({
  replayOf: z.string(),
  outcome: z.string(),
  reason: z.string().optional(),
  caused: z.object({ jobIds: z.array(z.string()), teams: z.array(z.string()) }),
});

export const SecurityEventsQuery = z.object({
  kind: oneOf('kind', SECURITY_KINDS).optional(),
  classification: oneOf('classification', PROBE_CLASSES).optional(),
  status: oneOf('status', SECURITY_STATUSES).optional(),
  source: z.string().max(100).optional().describe('A source address (an IPv6 address by its /64)'),
  since: since.optional(),
  ...paging,
});

export const SecurityEvent = z
  .object({
    id: z.string(),
    fingerprint: z.string(),
    kind: z.enum(SECURITY_KINDS),
    classification: z.enum(PROBE_CLASSES).optional(),
    source: z.string(),
    route: z.string(),
    sample: z.string().optional().describe('What was sent, cut short and redacted: plain text, never markup'),
    detail: z
      .string()
      .optional()
      .describe(
        'Why it was refused (a run token’s `bad_signature`, `expired`, `already_consumed`, …); each detail is its own group',
      ),
    count: z.number().int(),
    firstSeen: millis(),
    lastSeen: millis(),
    hints: z.array(z.enum(['duplicate', 'burst'])),
    status: z.enum(SECURITY_STATUSES),
    updatedAt: millis(),
  })
  .meta({ id: 'SecurityEvent' });

export const SecurityEventPage = z.object({
  events: z.array(SecurityEvent).describe('Newest sighting first'),
  total: z.number().int(),
  limit: z.number().int(),
  offset: z.number().int(),
});

export const SecurityStatusBody = z.object({
  status: oneOf('status', SECURITY_STATUSES),
});
