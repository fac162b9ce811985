import type { Clock } from '../../../ports/clock.port.js';
import type { ConnectionHealth, ConnectionStateKind } from '../../../ports/connection-health.port.js';
import type { EventBus, OrchestratorEvent } from '../../../ports/event-bus.port.js';
import type { Storage } from '../../../ports/storage.port.js';
import { activeDedup } from '../../domain/dedup.js';
import { IN_FLIGHT_STATUSES, isTerminal, JOB_STATUSES, TERMINAL_STATUSES } from '../../domain/job-status.js';
import type { Job, Phase } from '../../domain/model.js';
import type { UsageMetrics } from '../usage/usage-metrics.js';
import { createHistogram, type MetricFamily, renderExposition, type Sample } from './metrics-exposition.js';

export interface MetricsDeps {
  storage: Storage;
  clock: Clock;
  eventBus: EventBus;
  connectionHealth: ConnectionHealth;
  /** The usage counters (issue 17): tokens and dollars by team and model. */
  usageMetrics?: Pick<UsageMetrics, 'families'>;
}

export interface MetricsService {
  /** The `/metrics` page: gauges read from storage now, counters since this process started. */
  render(): Promise<string>;
  /** Stops counting (the container's disposer). */
  dispose(): void;
}

const PREFIX = 'ai_implement';
const PHASES: readonly Phase[] = ['planning', 'implementation', 'gap-analysis'];
/** Seconds. A cycle is a few tracker requests: most land well under a second. */
const CYCLE_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

/** Counters keyed by their sorted label set, so one series is one entry. */
function createCounter() {
  const values = new Map<string, { labels: Record<string, string>; value: number }>();
  const keyOf = (labels: Record<string, string>) => JSON.stringify(Object.entries(labels).sort());
  return {
    inc(labels: Record<string, string> = {}, by = 1) {
      const key = keyOf(labels);
      const entry = values.get(key) ?? { labels, value: 0 };
      entry.value += by;
      values.set(key, entry);
    },
    samples(): Sample[] {
      return [...values.values()].map(({ labels, value }) => ({ labels, value }));
    },
  };
}

/**
 * Prometheus metrics. Counters come from the event bus (process lifetime: they restart at 0
 * with the process, which Prometheus' `rate()` handles); gauges are read from storage at
 * scrape time. Labels are team keys, phases, statuses and runner kinds only — never issue
 * text, identifiers or anything secret — so the page can be scraped without the admin token.
 */
const CONNECTION_STATES: readonly ConnectionStateKind[] = ['ok', 'limited', 'backoff', 'open'];

/** The outside connections as their request governors see them (labels: service and a credential digest). */
function connectionFamilies(health: ConnectionHealth, now: number): MetricFamily[] {
  const connections = health.list(now);
  // /metrics is public: the connection is named by its credential digest only, never its URL (a Jira site names the company).
  const labels = (c: { service: string; id: string }) => ({
    service: c.service,
    connection: c.id.slice(c.id.lastIndexOf('#') + 1),
  });
  return [
    {
      name: `${PREFIX}_connection_state`,
      help: 'Each outside connection: 1 for its current state (ok, limited, backoff, open), 0 for the others.',
      type: 'gauge',
      samples: connections.flatMap((c) =>
        CONNECTION_STATES.map((state) => ({ labels: { ...labels(c), state }, value: c.state === state ? 1 : 0 })),
      ),
    },
    {
      name: `${PREFIX}_connection_blocked_until_seconds`,
      help: 'Unix time before which no request goes to the connection (rate-limit window, backoff or open circuit); 0 when none.',
      type: 'gauge',
      samples: connections.map((c) => ({ labels: labels(c), value: c.until !== undefined ? Math.ceil(c.until / 1000) : 0 })),
    },
    {
      name: `${PREFIX}_connection_consecutive_failures`,
      help: 'Consecutive failed requests (5xx, timeouts) on the connection.',
      type: 'gauge',
      samples: connections.map((c) => ({ labels: labels(c), value: c.consecutiveFailures })),
    },
    {
      name: `${PREFIX}_connection_requests_remaining`,
      help: "Requests left in the service's rate-limit window, as its last answer said (only connections whose service says).",
      type: 'gauge',
      samples: connections.flatMap((c) => (c.remaining !== undefined ? [{ labels: labels(c), value: c.remaining }] : [])),
    },
  ];
}

export function createMetricsService({ storage, clock, eventBus, connectionHealth, usageMetrics }: MetricsDeps): MetricsService {
  const dispatches = createCounter();
  const cycles = createCounter();
  const reconcileErrors = createCounter();
  const outcomes = createCounter();
  const webhooks = createCounter();
  const cycleDuration = createHistogram(CYCLE_BUCKETS);
  // Zero series from the start, so a first failure is a change Prometheus can see.
  cycles.inc({}, 0);
  for (const status of TERMINAL_STATUSES) outcomes.inc({ status }, 0);

  function count(event: OrchestratorEvent): void {
    if (event.type === 'job.created') {
      dispatches.inc({ phase: event.data.phase, runner: event.data.runner });
    } else if (event.type === 'reconcile.finished') {
      cycles.inc();
      for (const team of event.data.errorTeams) reconcileErrors.inc({ team_key: team });
      if (event.data.durationMs >= 0) cycleDuration.observe(event.data.durationMs / 1000);
    } else if (event.type.startsWith('job.')) {
      const status = event.type.slice('job.'.length);
      if ((TERMINAL_STATUSES as readonly string[]).includes(status)) outcomes.inc({ status });
    } else if (event.type === 'webhook.received') {
      webhooks.inc({ source: event.data.source, code: String(event.data.status) });
    }
  }
  const unsubscribe = eventBus.subscribe(count);

  async function gauges(): Promise<MetricFamily[]> {
    // Counted in the store (the SQL store keeps the tally as jobs are written), never by loading history;
    // the rest is bounded: jobs in flight, mappings, and a dedup ledger pruned to its 24-hour window.
    const [live, mappings, dedup, tally] = await Promise.all([
      storage.jobs.list({ statuses: IN_FLIGHT_STATUSES }),
      storage.mappings.list(),
      storage.dedup.list(),
      storage.jobs.tally(),
    ]);
    const byPhaseStatus = new Map<string, number>(tally.map((row) => [`${row.phase}/${row.status}`, row.count]));
    const inFlight = inFlightIssues(live);
    const sortedMappings = [...mappings].sort((a, b) => (a.teamKey < b.teamKey ? -1 : 1));
    return [
      {
        name: `${PREFIX}_jobs`,
        help: 'Jobs in storage by phase and status (finished jobs stay until retention prunes them).',
        type: 'gauge',
        samples: PHASES.flatMap((phase) =>
          JOB_STATUSES.map((status) => ({ labels: { phase, status }, value: byPhaseStatus.get(`${phase}/${status}`) ?? 0 })),
        ),
      },
      {
        name: `${PREFIX}_mapping_in_progress`,
        help: 'Issues with an unfinished job, per mapping.',
        type: 'gauge',
        samples: sortedMappings.map((m) => ({ labels: { team_key: m.teamKey }, value: inFlight.get(m.teamKey)?.size ?? 0 })),
      },
      {
        name: `${PREFIX}_mapping_cap`,
        help: 'The mapping concurrency cap (maxInProgressAiIssues).',
        type: 'gauge',
        samples: sortedMappings.map((m) => ({ labels: { team_key: m.teamKey }, value: m.maxInProgressAiIssues })),
      },
      {
        name: `${PREFIX}_mappings`,
        help: 'Project mappings configured.',
        type: 'gauge',
        samples: [{ value: mappings.length }],
      },
      {
        name: `${PREFIX}_mappings_paused`,
        help: 'Project mappings that are paused.',
        type: 'gauge',
        samples: [{ value: mappings.filter((m) => m.paused).length }],
      },
      {
        name: `${PREFIX}_dedup_entries`,
        help: 'Issues inside the 24-hour dedup window.',
        type: 'gauge',
        samples: [{ value: activeDedup(dedup, clock.now()).length }],
      },
    ];
  }

  function counters(): MetricFamily[] {
    return [
      {
        name: `${PREFIX}_dispatches_total`,
        help: 'Jobs dispatched since the process started, by phase and runner.',
        type: 'counter',
        samples: dispatches.samples(),
      },
      {
        name: `${PREFIX}_reconcile_cycles_total`,
        help: 'Reconcile cycles finished since the process started.',
        type: 'counter',
        samples: cycles.samples(),
      },
      {
        name: `${PREFIX}_reconcile_errors_total`,
        help: 'Reconcile cycles in which a mapping failed (fetch or dispatch), by team key.',
        type: 'counter',
        samples: reconcileErrors.samples(),
      },
      {
        name: `${PREFIX}_job_outcomes_total`,
        help: 'Jobs that finished since the process started, by final status.',
        type: 'counter',
        samples: outcomes.samples(),
      },
      {
        name: `${PREFIX}_webhook_receipts_total`,
        help: 'Webhook deliveries received since the process started, by source and HTTP status answered.',
        type: 'counter',
        samples: webhooks.samples(),
      },
      {
        name: `${PREFIX}_reconcile_cycle_duration_seconds`,
        help: 'How long reconcile cycles took.',
        type: 'histogram',
        samples: cycleDuration.samples(),
      },
    ];
  }

  return {
    async render() {
      return renderExposition([
        ...(await gauges()),
        ...connectionFamilies(connectionHealth, clock.now()),
        ...counters(),
        ...(usageMetrics?.families() ?? []),
      ]);
    },
    dispose: unsubscribe,
  };
}

/** Per team key, the distinct issues with a job that has not finished (the planner's count). */
export function inFlightIssues(jobs: readonly Job[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const job of jobs) {
    if (isTerminal(job.status)) continue;
    const issues = out.get(job.teamKey) ?? new Set<string>();
    issues.add(job.issueId);
    out.set(job.teamKey, issues);
  }
  return out;
}
