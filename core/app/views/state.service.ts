import type { Clock } from '../../../ports/clock.port.js';
import type { ConnectionHealth, ConnectionStatus } from '../../../ports/connection-health.port.js';
import type { Storage } from '../../../ports/storage.port.js';
import type { RunUsageRecord } from '../../../ports/usage-store.port.js';
import { IN_FLIGHT_STATUSES, isTerminal, TERMINAL_STATUSES } from '../../domain/job-status.js';
import type { Job, RunnerMode } from '../../domain/model.js';
import type { CoreSettings } from '../core-settings.js';
import type { ReconcileService } from '../dispatch/reconcile.service.js';
import type { RunnerModeService } from '../operations/runner-mode.service.js';
import { type UsageView, usageTotals, usageView } from '../usage/usage-view.js';
import { inFlightIssues } from './metrics.service.js';

export interface StateDeps {
  storage: Storage;
  clock: Clock;
  config: CoreSettings;
  reconcile: Pick<ReconcileService, 'snapshot'>;
  runnerMode: Pick<RunnerModeService, 'get'>;
  connectionHealth: ConnectionHealth;
  /** The package version (package.json), read once by the registration. */
  version: string;
  /** What the host knows of its own process: the Node version and DATA_DIR as an absolute path. */
  host: { node: string; dataDir: string };
}

export interface QueuedIssue {
  issueId: string;
  identifier: string;
  title: string;
  teamKey: string;
  priority: number;
  url: string;
  reason: string;
  message: string;
}

export interface JobRow {
  jobId: string;
  issueId: string;
  identifier: string;
  teamKey: string;
  owner: string;
  repo: string;
  phase: Job['phase'];
  status: Job['status'];
  runner: Job['runner'];
  dispatchNumber: number;
  dispatchedAt: number;
  /** Seconds since dispatch (running) or from dispatch to the last change (finished). */
  durationSeconds: number;
  finishedAt?: number;
  runUrl?: string;
  prUrl?: string;
  prNumber?: number;
  error?: string;
  timedOutReason?: string;
  /** A dry run's note (shadow mode). */
  note?: string;
  /** Tokens and dollars the run reported; null: not reported. */
  usage: UsageView | null;
}

/** `GET /api/v1/state`. */
export interface StateView {
  generatedAt: number;
  counts: { queued: number; running: number; completed: number; failed: number };
  /** Eligible issues the last reconcile plan held back, with the planner's reason. */
  queued: QueuedIssue[];
  /** Jobs not yet finished, oldest dispatch first. */
  running: JobRow[];
  /**
   * Jobs finished in the last 24 hours, newest first: `completed`, and every other end; of
   * the latest RECENT_ROWS dispatches among them (`counts` counts them all).
   */
  completed: JobRow[];
  failed: JobRow[];
  mappings: { teamKey: string; ticketing: string; paused: boolean; inProgress: number; cap: number }[];
  lastReconcile: {
    startedAt: number;
    finishedAt: number;
    durationMs: number;
    dispatched: number;
    /** Per team key, why the team's issues could not be fetched or dispatched. */
    errors: Record<string, string>;
  } | null;
  /**
   * Token totals of the jobs listed here (in flight and recently ended), as their sessions
   * reported them (issue 17); `reported` is false when none of them reported any: the zeros
   * then mean "not reported", never an estimate.
   */
  tokens: {
    input: number;
    output: number;
    cacheRead: number;
    cacheCreation: number;
    total: number;
    costUsd: number;
    reported: boolean;
  };
  /** Every outside connection: ok, limited until T, backing off, or circuit open since T; requests left when known. */
  connections: ConnectionStatus[];
}

/** `GET /api/v1/runtime`. */
export interface RuntimeView {
  version: string;
  node: string;
  startedAt: number;
  uptimeSeconds: number;
  dataDir: string;
  /** Which storage adapter STORAGE_URL picked; the URL itself may hold a password and is never shown. */
  storage: 'sqlite' | 'postgres' | 'lowdb' | 'memory' | 'fs' | 'redis' | 'other';
  pollIntervalMs: number;
  /** Which connections and secrets are configured: booleans only, never values. */
  features: Record<string, boolean>;
  runnerMode: { effective: RunnerMode; source: 'env' | 'stored' | 'default' };
}

export interface StateService {
  snapshot(): Promise<StateView>;
  runtime(): Promise<RuntimeView>;
}

const RECENT_MS = 24 * 60 * 60 * 1000;
/** The finished jobs listed: the latest this many of the window (the counts cover all of them). */
export const RECENT_ROWS = 200;
const FAILED_STATUSES = TERMINAL_STATUSES.filter((s) => s !== 'completed');

function row(job: Job, now: number, usage: ReadonlyMap<string, RunUsageRecord>): JobRow {
  const finished = isTerminal(job.status);
  const end = finished ? job.updatedAt : now;
  return {
    jobId: job.id,
    issueId: job.issueId,
    identifier: job.identifier,
    teamKey: job.teamKey,
    owner: job.owner,
    repo: job.repo,
    phase: job.phase,
    status: job.status,
    runner: job.runner,
    dispatchNumber: job.dispatchNumber,
    dispatchedAt: job.dispatchedAt,
    durationSeconds: Math.max(0, Math.round((end - job.dispatchedAt) / 1000)),
    ...(finished ? { finishedAt: job.updatedAt } : {}),
    ...(job.runUrl ? { runUrl: job.runUrl } : {}),
    ...(job.prUrl ? { prUrl: job.prUrl } : {}),
    ...(job.prNumber !== undefined ? { prNumber: job.prNumber } : {}),
    ...(job.error ? { error: job.error } : {}),
    ...(job.timedOutReason ? { timedOutReason: job.timedOutReason } : {}),
    ...(job.note ? { note: job.note } : {}),
    usage: usageView(usage.get(job.id)),
  };
}

export function storageKind(storageUrl: string | undefined): RuntimeView['storage'] {
  if (!storageUrl) return 'sqlite';
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(storageUrl.trim())?.[1]?.toLowerCase();
  if (scheme === 'sqlite') return 'sqlite';
  if (scheme === 'postgres' || scheme === 'postgresql') return 'postgres';
  if (scheme === 'lowdb') return 'lowdb';
  if (scheme === 'memory') return 'memory';
  if (scheme === 'fs' || scheme === 'file') return 'fs';
  if (scheme === 'redis' || scheme === 'rediss') return 'redis';
  return 'other';
}

function features(config: CoreSettings): Record<string, boolean> {
  return {
    adminApi: Boolean(config.adminAccessCode),
    runnerTokens: Boolean(config.runnerTokenSecret),
    githubWebhook: Boolean(config.githubWebhookSecret),
    gapFillTrigger: Boolean(config.gapFillTriggerSecret),
    linear: Boolean(config.linearApiKey),
    linearWebhook: Boolean(config.linearWebhookSecret),
    jira: Boolean(config.jiraHost && config.jiraEmail && config.jiraApiToken),
    github: Boolean(config.githubToken || (config.githubAppId && config.githubAppPrivateKey)),
    githubApp: Boolean(config.githubAppId && config.githubAppPrivateKey),
    fly: Boolean(config.flyApiToken),
    flySessionsApp: Boolean(config.flySessionsApp),
    runnerModeEnv: Boolean(config.runnerMode),
  };
}

/** The orchestrator at a glance (`/api/v1/state`) and what it runs on (`/api/v1/runtime`). */
export function createStateService({
  storage,
  clock,
  config,
  reconcile,
  runnerMode,
  connectionHealth,
  version,
  host,
}: StateDeps): StateService {
  const startedAt = clock.now();

  return {
    async snapshot() {
      const now = clock.now();
      // In flight, and the latest of those finished within the recent window with indexed
      // counts of them all: never the whole history, nor a whole busy day of it.
      const recentlyEnded = (statuses: readonly Job['status'][]) => ({ statuses, updatedAfter: now - RECENT_MS });
      const [live, finished, completedCount, failedCount, mappings] = await Promise.all([
        storage.jobs.list({ statuses: IN_FLIGHT_STATUSES }),
        storage.jobs.list({ ...recentlyEnded(TERMINAL_STATUSES), limit: RECENT_ROWS }),
        storage.jobs.count(recentlyEnded(['completed'])),
        storage.jobs.count(recentlyEnded(FAILED_STATUSES)),
        storage.mappings.list(),
      ]);
      const jobs = [...live, ...finished];
      const reported = await storage.usage.forJobs(jobs.map((j) => j.id));
      const usage = new Map(reported.map((u) => [u.jobId, u]));
      const { last } = reconcile.snapshot();

      const queued: QueuedIssue[] = (last?.skipped ?? []).map((s) => ({
        issueId: s.issue.id,
        identifier: s.issue.identifier,
        title: s.issue.title,
        teamKey: s.teamKey,
        priority: s.issue.priority,
        url: s.issue.url,
        reason: s.reason,
        message: s.message,
      }));
      const running = jobs
        .filter((j) => !isTerminal(j.status))
        .sort((a, b) => a.dispatchedAt - b.dispatchedAt)
        .map((j) => row(j, now, usage));
      const recent = jobs
        .filter((j) => isTerminal(j.status) && now - j.updatedAt < RECENT_MS)
        .sort((a, b) => b.updatedAt - a.updatedAt)
        .map((j) => row(j, now, usage));
      const completed = recent.filter((j) => j.status === 'completed');
      const failed = recent.filter((j) => j.status !== 'completed');
      const inFlight = inFlightIssues(jobs);

      return {
        generatedAt: now,
        counts: { queued: queued.length, running: running.length, completed: completedCount, failed: failedCount },
        queued,
        running,
        completed,
        failed,
        mappings: [...mappings]
          .sort((a, b) => (a.teamKey < b.teamKey ? -1 : 1))
          .map((m) => ({
            teamKey: m.teamKey,
            ticketing: m.ticketing,
            paused: m.paused,
            inProgress: inFlight.get(m.teamKey)?.size ?? 0,
            cap: m.maxInProgressAiIssues,
          })),
        lastReconcile: last
          ? {
              startedAt: last.startedAt,
              finishedAt: last.finishedAt,
              durationMs: last.finishedAt - last.startedAt,
              dispatched: last.dispatched.length,
              errors: last.errors,
            }
          : null,
        tokens: usageTotals(reported),
        connections: connectionHealth.list(now),
      };
    },

    async runtime() {
      const mode = await runnerMode.get();
      const now = clock.now();
      return {
        version,
        node: host.node,
        startedAt,
        uptimeSeconds: Math.max(0, Math.floor((now - startedAt) / 1000)),
        dataDir: host.dataDir,
        storage: storageKind(config.storageUrl),
        pollIntervalMs: config.pollIntervalMs,
        features: features(config),
        runnerMode: { effective: mode.effective, source: mode.source },
      };
    },
  };
}
