import type { JobEvent } from '../core/domain/job-status.js';
import type { JobStatus, Phase, RunnerKind } from '../core/domain/model.js';
import type { RunObservation } from './runner.port.js';

/** What an event may say it is about; every event has a `type` and the time it happened. */
interface Happened<T extends string> {
  type: T;
  at: number;
  issueId?: string;
  identifier?: string;
  jobId?: string;
  teamKey?: string;
  message?: string;
}

/** A job event always names the job, its issue and its team. */
interface AboutJob<T extends string> extends Happened<T> {
  jobId: string;
  issueId: string;
  identifier: string;
  teamKey: string;
}

/** An operator's action on an issue (issue control): which issue, and what was done. */
interface AboutIssue<T extends string> extends Happened<T> {
  issueId: string;
  identifier: string;
  teamKey: string;
  data?: Record<string, unknown>;
}

/**
 * How a job changed: named by its new status (`job.failed`), or, when the status stayed, by
 * what happened (`job.run-linked`), so a timeline never shows one status twice.
 */
export type JobChangeType = `job.${JobStatus}` | `job.${JobEvent['type']}`;

export type IssueControlEventType =
  | 'issue.aborted'
  | 'issue.steered'
  | 'issue.transitioned'
  | 'issue.model_set'
  | 'issue.model_cleared'
  | 'issue.template_set'
  | 'issue.template_cleared';

export type MappingEventType = 'mapping.created' | 'mapping.updated' | 'mapping.deleted';

/**
 * One thing that happened in the orchestrator, for SSE, metrics and the issue timeline: a
 * union on `type` of every event published. The wire shape (SSE `data`) is these fields as
 * they are; `data` carries what only that type knows.
 */
export type OrchestratorEvent =
  | (AboutJob<'job.created'> & { data: { phase: Phase; runner: RunnerKind } })
  | (AboutJob<JobChangeType> & { data?: undefined })
  /** Retention dropped a finished job: its run records go with it. */
  /** What a runner saw on its own (a local session's exit); the run watcher records it. */
  | (Happened<'run.observed'> & { jobId: string; data: RunObservation })
  | (Happened<'job.pruned'> & { jobId: string; issueId: string; data?: undefined })
  /** A finished run asks for its team's next dispatch (an auto-approved plan); the reconcile cycle listens. */
  | (Happened<'reconcile.requested'> & { teamKey: string; issueId: string; data?: undefined })
  | (Happened<'reconcile.finished'> & {
      data: {
        dispatched: number;
        skipped: number;
        errors: number;
        /** Which teams failed this cycle (keys only, never the message). */
        errorTeams: string[];
        durationMs: number;
      };
    })
  | (Happened<MappingEventType> & { teamKey: string; data?: undefined })
  /** A webhook delivery and the HTTP status it was answered with. */
  | (Happened<'webhook.received'> & { data: { source: string; status: number } })
  | AboutIssue<IssueControlEventType>
  | (Happened<'budget.warning' | 'budget.reached'> & {
      teamKey?: string;
      jobId?: string;
      data: { scope: 'run' | 'team' | 'global'; spentUsd: number; budgetUsd: number };
    })
  /**
   * An outside connection refused its credential (401/403 that is not a rate limit), or its
   * circuit opened after repeated failures (adapters/shared/request-governor.ts). Never the
   * credential: the connection's id carries only a digest of it.
   */
  | (Happened<'connector.credential_refused' | 'connector.circuit_opened'> & {
      data: { service: string; connectionId: string; baseUrl: string };
    })
  /** The reaper destroyed a runner session (never in shadow mode, where it only reports). */
  | (Happened<'reaper.destroyed'> & { data: { rule: string; runner: string; machineId: string; ageSeconds: number } })
  /** An operator's change only its use case knows of (audit.service.ts): the audit action, never its target. */
  | (Happened<'audit.recorded'> & { data: { action: string } })
  /** The store stopped answering (storage-availability.ts): said once per change of state. */
  | (Happened<'storage.unavailable'> & { data: { store: string; reason: string } });

export type OrchestratorEventType = OrchestratorEvent['type'];
export type IssueControlEvent = Extract<OrchestratorEvent, { type: IssueControlEventType }>;

/**
 * EventBus — in-process fan-out. `publish` never throws and never waits for subscribers;
 * a subscriber that throws is isolated from the others. `subscribe` returns its unsubscribe.
 */
export interface EventBus {
  publish(event: OrchestratorEvent): void;
  subscribe(listener: (event: OrchestratorEvent) => void): () => void;
}
