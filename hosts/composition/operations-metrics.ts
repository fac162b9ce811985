import { Counter, Gauge, Registry } from 'prom-client';
import type { DeliveryAttemptSeen } from '../../core/app/operations/notification-delivery.js';
import type { ConnectorEvent } from '../../core/domain/connector-events.js';
import type { SecuritySignal } from '../../core/domain/security-events.js';

/** The connector event log's, security events' and notification queue's counters for `/metrics` (prom-client). */
export interface OperationsMetrics {
  connectorEvent(event: Pick<ConnectorEvent, 'direction' | 'source' | 'outcome'>): void;
  securitySignal(signal: Pick<SecuritySignal, 'kind' | 'classification'>, recorded: boolean): void;
  /** One attempt of the notification queue's worker (notification-delivery.ts). */
  notificationAttempt(attempt: DeliveryAttemptSeen): void;
  /** Reports the recorders' backlog at scrape time. */
  watchBacklog(
    read: () => { connector: { pending: number; dropped: number }; security: { pending: number; dropped: number } },
  ): void;
  render(): Promise<string>;
}

/**
 * Labels are fixed vocabularies only (directions, sources, outcomes, kinds, probe classes,
 * notification channels):
 * never an address, a route or anything an attacker chooses, so the public page cannot be
 * made to grow.
 */
export function createOperationsMetrics(): OperationsMetrics {
  const registry = new Registry();
  const connector = new Counter({
    name: 'ai_implement_connector_events_total',
    help: 'Connector deliveries and failed outbound calls recorded since the process started, by direction, source and outcome',
    labelNames: ['direction', 'source', 'outcome'] as const,
    registers: [registry],
  });
  const security = new Counter({
    name: 'ai_implement_security_signals_total',
    help: 'Security signals seen since the process started, by kind and probe classification (none when not a probe)',
    labelNames: ['kind', 'classification'] as const,
    registers: [registry],
  });
  const dropped = new Counter({
    name: 'ai_implement_security_signals_dropped_total',
    help: 'Security signals not recorded because too many distinct groups were pending (a flood)',
    registers: [registry],
  });
  const notifications = new Counter({
    name: 'ai_implement_notifications_total',
    help: 'Notification delivery attempts since the process started, by channel, kind and outcome (sent; failed, a retry scheduled; dropped, given up)',
    labelNames: ['channel', 'kind', 'outcome'] as const,
    registers: [registry],
  });
  let backlog: Parameters<OperationsMetrics['watchBacklog']>[0] | undefined;
  new Gauge({
    name: 'ai_implement_operations_records_pending',
    help: 'Connector and security records waiting to be written, by log',
    labelNames: ['log'] as const,
    registers: [registry],
    collect() {
      const now = backlog?.();
      this.set({ log: 'connector' }, now?.connector.pending ?? 0);
      this.set({ log: 'security' }, now?.security.pending ?? 0);
    },
  });
  dropped.inc(0);
  return {
    connectorEvent: (e) => connector.inc({ direction: e.direction, source: e.source, outcome: e.outcome }),
    securitySignal: (s, recorded) => {
      security.inc({ kind: s.kind, classification: s.classification ?? 'none' });
      if (!recorded) dropped.inc();
    },
    notificationAttempt: (a) => notifications.inc({ channel: a.channel, kind: a.kind, outcome: a.outcome }),
    watchBacklog: (read) => {
      backlog = read;
    },
    async render() {
      return `${(await registry.metrics())
        .split('\n')
        .filter((line) => line !== '')
        .join('\n')}\n`;
    },
  };
}
