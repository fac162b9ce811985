import { err, ok, type Result } from 'neverthrow';
import type { Clock } from '../../../ports/clock.port.js';
import type { EventBus, IssueControlEvent, IssueControlEventType, OrchestratorEvent } from '../../../ports/event-bus.port.js';
import type { Logger } from '../../../ports/logger.port.js';
import type { Storage } from '../../../ports/storage.port.js';
import type { Ticketing } from '../../../ports/ticketing.port.js';
import type { RunUsageRecord } from '../../../ports/usage-store.port.js';
import {
  allowedTransitions,
  effectiveStage,
  failedStageOf,
  inFlightJob,
  newestFirst,
  TARGET_ALIASES,
  type TransitionOption,
} from '../../domain/issue-transitions.js';
import { STAGE_TABLE } from '../../domain/lifecycle.js';
import type { Job, Mapping, Stage, TicketIssue, TicketingKind } from '../../domain/model.js';
import type { DispatchFailure, DispatchService } from '../dispatch/dispatch.service.js';
import type { ReconcileService } from '../dispatch/reconcile.service.js';
import type { RunnerRegistry } from '../dispatch/runner-registry.js';
import { answerWithin, formatDeadline, OPERATOR_CALL_DEADLINE_MS } from '../operations/operator-deadline.js';
import type { JobOutcomeService } from '../runs/job-outcome.service.js';
import type { SteeringService } from '../runs/steering.service.js';
import type { StepEntry, StepHistoryService } from '../runs/step-history.service.js';
import { type UsageView, usageTotals, usageView } from '../usage/usage-view.js';
import type { IssueEventLog, IssueOverridesStore } from './issue-records.js';
import type { TicketingRegistry } from './ticketing-registry.js';

export const ABORTED_BY_OPERATOR = 'Aborted by an operator';
export const STEER_MESSAGE_LIMIT = 10_000;
export const MODEL_LIMIT = 200;
/** A template travels in the session's environment; keep it well under what an env var may hold. */
export const TEMPLATE_LIMIT = 32_000;
const RECENT_EVENTS = 50;

export type IssueControlError =
  | { kind: 'issueNotFound' }
  | { kind: 'attemptNotFound' }
  | { kind: 'invalid'; message: string }
  | { kind: 'conflict'; message: string }
  | { kind: 'upstream'; message: string }
  | { kind: 'notConfigured'; message: string };

export interface IssueControlDeps {
  storage: Storage;
  clock: Clock;
  logger: Logger;
  eventBus: EventBus;
  ticketingRegistry: TicketingRegistry;
  reconcile: Pick<ReconcileService, 'snapshot' | 'request'>;
  dispatcher: DispatchService;
  jobOutcome: Pick<JobOutcomeService, 'record'>;
  steering: Pick<SteeringService, 'enqueue' | 'abort'>;
  stepHistory: Pick<StepHistoryService, 'list'>;
  runnerRegistry: RunnerRegistry;
  issueOverrides: IssueOverridesStore;
  issueEvents: Pick<IssueEventLog, 'list'>;
}

export interface AttemptRow {
  id: string;
  phase: Job['phase'];
  status: Job['status'];
  dispatchNumber: number;
  runner: Job['runner'];
  dispatchedAt: string;
  updatedAt: string;
  prUrl: string | null;
  error: string | null;
  timedOutReason: string | null;
  runUrl: string | null;
  /** Tokens and dollars the attempt reported (issue 17); null: not reported. */
  usage: UsageView | null;
}

export interface EventRow {
  type: string;
  at: string;
  jobId: string | null;
  message: string | null;
  data: Record<string, unknown> | null;
}

export interface TransitionsRow {
  id: string;
  identifier: string;
  teamKey: string;
  stage: Stage | null;
  inFlightJobId: string | null;
  transitions: TransitionOption[];
}

export interface IssueDetail extends TransitionsRow {
  title: string;
  url: string;
  stageName: string | null;
  labels: string[];
  state: string | null;
  stateType: string | null;
  overrides: { model: string | null; template: string | null };
  recentEvents: EventRow[];
  attempts: AttemptRow[];
  /** The issue's usage over its attempts; `reported` false: none reported any. */
  usage: ReturnType<typeof usageTotals>;
}

export interface AttemptDetail extends AttemptRow {
  issueId: string;
  identifier: string;
  teamKey: string;
  owner: string;
  repo: string;
  runId: string | null;
  machineId: string | null;
  steps: StepEntry[];
  events: EventRow[];
}

export interface TransitionOutcome {
  ok: true;
  identifier: string;
  from: Stage | null;
  to: TransitionOption['to'];
  action: TransitionOption['action'];
  jobId: string | null;
}

export interface IssueControlService {
  transitions(): Promise<{ issues: TransitionsRow[] }>;
  detail(id: string): Promise<Result<IssueDetail, IssueControlError>>;
  attempts(id: string): Promise<Result<{ identifier: string; attempts: AttemptRow[] }, IssueControlError>>;
  attempt(jobId: string): Promise<Result<AttemptDetail, IssueControlError>>;
  abort(
    id: string,
    reason?: string,
  ): Promise<Result<{ ok: true; jobId: string; status: Job['status']; destroyed: boolean }, IssueControlError>>;
  steer(id: string, message: unknown): Promise<Result<{ ok: true; jobId: string; queued: true }, IssueControlError>>;
  setModel(
    id: string,
    model: unknown,
  ): Promise<Result<{ ok: true; identifier: string; model: string | null }, IssueControlError>>;
  setTemplate(
    id: string,
    template: unknown,
  ): Promise<Result<{ ok: true; identifier: string; template: string | null }, IssueControlError>>;
  transition(id: string, to: unknown, reason?: unknown): Promise<Result<TransitionOutcome, IssueControlError>>;
}

/** What `:id` named: the issue as its tracker shows it now, its mapping and its jobs (newest first). */
interface Found {
  issue: TicketIssue;
  mapping: Mapping | undefined;
  ticketing: Ticketing | undefined;
  jobs: Job[];
  stage: Stage | null;
  inFlight: Job | undefined;
  transitions: TransitionOption[];
}

const iso = (ms: number) => new Date(ms).toISOString();

function attemptRow(job: Job, usage?: ReadonlyMap<string, RunUsageRecord>): AttemptRow {
  return {
    id: job.id,
    phase: job.phase,
    status: job.status,
    dispatchNumber: job.dispatchNumber,
    runner: job.runner,
    dispatchedAt: iso(job.dispatchedAt),
    updatedAt: iso(job.updatedAt),
    prUrl: job.prUrl ?? null,
    error: job.error ?? null,
    timedOutReason: job.timedOutReason ?? null,
    runUrl: job.runUrl ?? null,
    usage: usageView(usage?.get(job.id)),
  };
}

/** The usage of some jobs, by job id. */
async function usageOf(storage: Storage, jobs: readonly Job[]): Promise<Map<string, RunUsageRecord>> {
  return new Map((await storage.usage.forJobs(jobs.map((j) => j.id))).map((u) => [u.jobId, u]));
}

function eventRow(event: OrchestratorEvent): EventRow {
  return {
    type: event.type,
    at: iso(event.at),
    jobId: event.jobId ?? null,
    message: event.message ?? null,
    data: (event.data as Record<string, unknown> | undefined) ?? null,
  };
}

const TRACKERS: readonly TicketingKind[] = ['linear', 'jira', 'local'];

/** `jira:ENG-1` → the tracker and the key; a plain `ENG-1` (or an issue id) names no tracker. */
export function parseIssueRef(id: string): { tracker?: TicketingKind; key: string } {
  const trimmed = id.trim();
  const colon = trimmed.indexOf(':');
  const tracker = trimmed.slice(0, colon).toLowerCase() as TicketingKind;
  return colon > 0 && TRACKERS.includes(tracker) ? { tracker, key: trimmed.slice(colon + 1).trim() } : { key: trimmed };
}

/** Issue ids per `jobs.list({ issueIds })` query (SQLite and PostgreSQL bound the parameters of one statement). */
const ISSUE_IDS_PER_QUERY = 500;

/** The 409 of an identifier two trackers share: it names each issue as the caller can ask for it. */
export function ambiguousMessage(id: string, candidates: string[]): string {
  return `${id.trim()} names more than one issue: ${candidates.join(', ')}; ask for one by its tracker, e.g. ${candidates[0]}`;
}

function dispatchError(failure: DispatchFailure): IssueControlError {
  if (failure.kind === 'claimed') return { kind: 'conflict', message: failure.message };
  if (failure.kind === 'runnerMissing') return { kind: 'notConfigured', message: failure.message };
  return { kind: 'upstream', message: failure.message };
}

/**
 * Issue control for the v1 API (v1-api-state-issues-config.txt "Issue Management", "Attempts"):
 * an issue's attempts are its jobs; the stages and moves are core/lifecycle.ts's. Moves go
 * through the services that own them — dispatcher, jobOutcome, steering, ticketing — never
 * around them.
 */
export function createIssueControlService(deps: IssueControlDeps): IssueControlService {
  const { storage, clock, logger, eventBus, ticketingRegistry, reconcile, dispatcher, jobOutcome, steering } = deps;

  const ticketingOf = (mapping: Mapping | undefined) => (mapping ? ticketingRegistry.get(mapping.ticketing) : undefined);

  function publish(type: IssueControlEventType, found: Found, extra: Pick<IssueControlEvent, 'jobId' | 'message' | 'data'> = {}) {
    eventBus.publish({
      type,
      at: clock.now(),
      issueId: found.issue.id,
      identifier: found.issue.identifier,
      teamKey: found.issue.teamKey,
      ...extra,
    });
  }

  function describe(issue: TicketIssue, mapping: Mapping | undefined, jobs: Job[]): Found {
    const sorted = newestFirst(jobs);
    const stage = effectiveStage(issue, sorted, mapping?.ticketing);
    const inFlight = inFlightJob(sorted);
    const transitions = allowedTransitions({
      stage,
      inFlight: inFlight !== undefined,
      planningEnabled: mapping?.planningEnabled !== false,
    });
    return { issue, mapping, ticketing: ticketingOf(mapping), jobs: sorted, stage, inFlight, transitions };
  }

  /**
   * What `:id` names: an issue id, or an identifier (`ENG-123`), optionally qualified by its
   * tracker (`jira:ENG-123`) — a Linear team and a Jira project may share a key, so one
   * identifier can name two issues. The snapshot first (no request), then the jobs on record,
   * then the trackers of the mappings. Two issues for one unqualified identifier: `ambiguous`,
   * naming them qualified.
   */
  async function find(id: string): Promise<Found | { ambiguous: string[] } | undefined> {
    const { tracker, key } = parseIssueRef(id);
    const wanted = key.toUpperCase();
    const matches = (identifier: string, issueId: string) => identifier.toUpperCase() === wanted || issueId === key;
    const mappings = await storage.mappings.list();
    const trackerOf = (teamKey: string) => mappings.find((m) => m.teamKey === teamKey)?.ticketing;

    /** By tracker and issue id: the same issue seen in the snapshot and on a job counts once. */
    const candidates = new Map<string, { issueId: string; teamKey: string; identifier: string; issue?: TicketIssue }>();
    const consider = (issueId: string, teamKey: string, identifier: string, issue?: TicketIssue) => {
      const kind = trackerOf(teamKey);
      if (tracker && kind !== tracker) return;
      const ref = `${kind ?? teamKey}:${issueId}`;
      if (!candidates.has(ref) || issue) candidates.set(ref, { issueId, teamKey, identifier, ...(issue ? { issue } : {}) });
    };
    for (const snap of reconcile.snapshot().mappings.values()) {
      for (const issue of snap.issues)
        if (matches(issue.identifier, issue.id)) consider(issue.id, issue.teamKey, issue.identifier, issue);
    }
    // The jobs of the issue, by its id or its identifier (both indexed): not every job.
    const [byIssueId, byIdentifier] = await Promise.all([
      storage.jobs.list({ issueId: key }),
      storage.jobs.list({ identifier: wanted }),
    ]);
    for (const job of [...byIssueId, ...byIdentifier])
      if (matches(job.identifier, job.issueId)) consider(job.issueId, job.teamKey, job.identifier);

    let issue: TicketIssue | undefined;
    let mapping: Mapping | undefined;
    if (candidates.size > 1) return { ambiguous: [...candidates.values()].map((c) => qualified(c.teamKey, c.identifier)) };
    const known = [...candidates.values()][0];
    if (known) {
      mapping = mappings.find((m) => m.teamKey === known.teamKey);
      // Fresh from the tracker: the snapshot may be a poll interval old. A tracker that does not
      // answer within the operator deadline counts as failed: the snapshot stands in, as it does
      // for an error.
      const read = mapping ? ticketingOf(mapping)?.getIssue(known.issueId, mapping) : undefined;
      const fresh = read
        ? await answerWithin(Promise.resolve(read), OPERATOR_CALL_DEADLINE_MS, () =>
            err({ kind: 'unavailable' as const, message: `no answer within ${formatDeadline(OPERATOR_CALL_DEADLINE_MS)}` }),
          )
        : undefined;
      issue = fresh?.isOk() ? fresh.value : known.issue;
      if (!issue) {
        if (fresh?.isErr() && fresh.error.kind !== 'notFound')
          logger.warn('issue control: could not read the issue', { issue: known.identifier, error: fresh.error.message });
        return undefined;
      }
    } else {
      // Every tracker asked at once, each within the operator deadline: one that fails or hangs
      // has not found it.
      const kinds = [...new Set(mappings.map((m) => m.ticketing))].filter((kind) => !tracker || kind === tracker);
      const answers = await Promise.all(
        kinds.map(async (kind) => {
          const read = ticketingRegistry.get(kind)?.getIssue(key);
          const got = read ? await answerWithin(Promise.resolve(read), OPERATOR_CALL_DEADLINE_MS, () => undefined) : undefined;
          return { kind, got };
        }),
      );
      const found: { issue: TicketIssue; mapping: Mapping }[] = [];
      for (const { kind, got } of answers) {
        if (!got?.isOk()) continue;
        const owner = mappings.find((m) => m.teamKey === got.value.teamKey && m.ticketing === kind);
        if (owner) found.push({ issue: got.value, mapping: owner });
      }
      if (found.length > 1) return { ambiguous: found.map((f) => qualified(f.mapping.teamKey, f.issue.identifier)) };
      issue = found[0]?.issue;
      mapping = found[0]?.mapping;
    }
    if (!issue) return undefined;
    return describe(issue, mapping, await storage.jobs.list({ issueId: issue.id }));

    function qualified(teamKey: string, identifier: string): string {
      return `${trackerOf(teamKey) ?? teamKey}:${identifier}`;
    }
  }

  async function withIssue<T>(id: string, work: (found: Found) => Promise<Result<T, IssueControlError>>) {
    const found = await find(id);
    if (!found) return err<T, IssueControlError>({ kind: 'issueNotFound' });
    if ('ambiguous' in found)
      return err<T, IssueControlError>({ kind: 'conflict', message: ambiguousMessage(id, found.ambiguous) });
    return work(found);
  }

  const nothingInFlight = (found: Found): IssueControlError => ({
    kind: 'conflict',
    message: `${found.issue.identifier} has no attempt in flight`,
  });

  async function abortJob(found: Found, job: Job, reason: string | undefined) {
    await steering.abort(job.id, reason ?? ABORTED_BY_OPERATOR);
    let destroyed = false;
    const sessionId = job.machineId ?? job.runId;
    const runner = deps.runnerRegistry.get(job.runner);
    if (runner && sessionId) {
      const result = await runner.destroy(sessionId);
      destroyed = result.isOk();
      if (result.isErr())
        logger.warn('abort: could not destroy the session; it stops on its next progress call', {
          jobId: job.id,
          error: result.error.message,
        });
    }
    const error = reason ? `${ABORTED_BY_OPERATOR}: ${reason}` : ABORTED_BY_OPERATOR;
    const recorded = await jobOutcome.record(job.id, { type: 'failed', error, logLabel: 'session_failed', at: clock.now() });
    publish('issue.aborted', found, { jobId: job.id, ...(reason ? { message: reason } : {}) });
    logger.info('attempt aborted by an operator', { jobId: job.id, issue: found.issue.identifier, destroyed });
    return { ok: true as const, jobId: job.id, status: recorded?.job.status ?? job.status, destroyed };
  }

  async function dispatchNow(found: Found, phase: 'planning' | 'implementation') {
    if (!found.mapping)
      return err<Job, IssueControlError>({ kind: 'conflict', message: `No mapping for team ${found.issue.teamKey}` });
    const dispatched = await dispatcher.dispatch({ kind: 'operator', issue: found.issue, mapping: found.mapping, phase });
    return dispatched.mapErr(dispatchError);
  }

  async function retry(found: Found) {
    const { mapping, ticketing } = found;
    if (!mapping || !ticketing)
      return err<void, IssueControlError>({ kind: 'conflict', message: `No mapping for team ${found.issue.teamKey}` });
    const moved = await ticketing.moveToStage(found.issue, 'triggered', mapping);
    if (moved.isErr()) return err<void, IssueControlError>({ kind: 'upstream', message: moved.error.message });
    await storage.dedup.remove(found.issue.id);
    // The reconcile loop dispatches it (respecting the cap); nobody waits for that here.
    void reconcile.request([mapping.teamKey]).catch(() => undefined);
    return ok<void, IssueControlError>(undefined);
  }

  function validText(value: unknown, name: string, limit: number): Result<string, IssueControlError> {
    if (typeof value !== 'string' || value.trim() === '')
      return err({ kind: 'invalid', message: `${name} must be a non-empty string` });
    if (value.length > limit) return err({ kind: 'invalid', message: `${name} must be at most ${limit} characters` });
    return ok(value);
  }

  async function override(id: string, field: 'model' | 'template', value: unknown, limit: number) {
    return withIssue(id, async (found) => {
      let text: string | undefined;
      if (value !== null) {
        const valid = validText(value, field, limit);
        if (valid.isErr()) return err(valid.error);
        text = field === 'model' ? valid.value.trim() : valid.value;
        if (field === 'model' && /\s/.test(text)) return err({ kind: 'invalid', message: 'model must not contain spaces' });
      }
      await deps.issueOverrides.set(found.issue.id, found.issue.identifier, field, text, clock.now());
      publish(
        text === undefined ? `issue.${field}_cleared` : `issue.${field}_set`,
        found,
        field === 'model' && text ? { data: { model: text } } : {},
      );
      return ok({ identifier: found.issue.identifier, value: text ?? null });
    });
  }

  /** The jobs of these issues, a bounded number of ids per query. */
  async function jobsOfIssues(issueIds: string[]): Promise<Job[]> {
    const chunks: string[][] = [];
    for (let n = 0; n < issueIds.length; n += ISSUE_IDS_PER_QUERY) chunks.push(issueIds.slice(n, n + ISSUE_IDS_PER_QUERY));
    return (await Promise.all(chunks.map((ids) => storage.jobs.list({ issueIds: ids })))).flat();
  }

  /**
   * Each issue's newest planning or implementation job where that job ended as a failure
   * (`failedStageOf` decides; the store narrows): failed, timed out or review-failed, or an
   * implementation that completed without a pull request.
   */
  async function latestFailedRuns(): Promise<Job[]> {
    const newestOfIssueAmong = ['planning', 'implementation'] as const;
    const [failed, withoutPullRequest] = await Promise.all([
      storage.jobs.list({ newestOfIssueAmong, statuses: ['failed', 'timed_out', 'review_failed'] }),
      storage.jobs.list({ newestOfIssueAmong, statuses: ['completed'], phase: 'implementation', openedPullRequest: false }),
    ]);
    return [...failed, ...withoutPullRequest];
  }

  return {
    async transitions() {
      const mappings = new Map((await storage.mappings.list()).map((m) => [m.teamKey, m]));
      const snapshotIssues = new Map<string, TicketIssue>();
      for (const snap of reconcile.snapshot().mappings.values()) {
        for (const issue of snap.issues) if (!snapshotIssues.has(issue.id)) snapshotIssues.set(issue.id, issue);
      }
      // The candidates' own jobs, and each issue's latest planning or implementation run where
      // it ended as a failure: indexed queries, never every job on record.
      const [candidateJobs, failedRuns] = await Promise.all([jobsOfIssues([...snapshotIssues.keys()]), latestFailedRuns()]);
      const byIssue = new Map<string, Job[]>();
      for (const job of candidateJobs) byIssue.set(job.issueId, [...(byIssue.get(job.issueId) ?? []), job]);
      const rows: TransitionsRow[] = [];
      for (const issue of snapshotIssues.values()) {
        rows.push(row(describe(issue, mappings.get(issue.teamKey), byIssue.get(issue.id) ?? [])));
      }
      // Failed issues lose the trigger and drop out of the candidates; their jobs still say where they are.
      const failedByIssue = new Map<string, Job[]>();
      for (const job of failedRuns) failedByIssue.set(job.issueId, [...(failedByIssue.get(job.issueId) ?? []), job]);
      for (const [issueId, issueJobs] of failedByIssue) {
        if (snapshotIssues.has(issueId)) continue;
        const stage = failedStageOf(issueJobs);
        const latest = newestFirst(issueJobs)[0]!;
        if (!stage || !mappings.has(latest.teamKey)) continue;
        rows.push({
          id: issueId,
          identifier: latest.identifier,
          teamKey: latest.teamKey,
          stage,
          inFlightJobId: null,
          transitions: allowedTransitions({ stage, inFlight: false, planningEnabled: true }),
        });
      }
      rows.sort((a, b) => (a.identifier < b.identifier ? -1 : a.identifier > b.identifier ? 1 : 0));
      return { issues: rows };
    },

    detail: (id) =>
      withIssue(id, async (found) => {
        const overrides = await deps.issueOverrides.get(found.issue.id);
        const events = await deps.issueEvents.list(found.issue.id);
        const usage = await usageOf(storage, found.jobs);
        const { issue } = found;
        return ok({
          ...row(found),
          title: issue.title,
          url: issue.url,
          stageName: found.stage ? STAGE_TABLE[found.stage].displayName : null,
          labels: issue.labels,
          state: issue.state ?? null,
          stateType: issue.stateType ?? null,
          overrides: { model: overrides?.model ?? null, template: overrides?.template ?? null },
          recentEvents: events.slice(-RECENT_EVENTS).reverse().map(eventRow),
          attempts: found.jobs.map((j) => attemptRow(j, usage)),
          usage: usageTotals([...usage.values()]),
        });
      }),

    attempts: (id) =>
      withIssue(id, async (found) => {
        const usage = await usageOf(storage, found.jobs);
        return ok({ identifier: found.issue.identifier, attempts: found.jobs.map((j) => attemptRow(j, usage)) });
      }),

    async attempt(jobId) {
      const job = await storage.jobs.get(jobId);
      if (!job) return err({ kind: 'attemptNotFound' });
      const [steps, events, usage] = await Promise.all([
        deps.stepHistory.list(job.id),
        deps.issueEvents.list(job.issueId),
        usageOf(storage, [job]),
      ]);
      return ok({
        ...attemptRow(job, usage),
        issueId: job.issueId,
        identifier: job.identifier,
        teamKey: job.teamKey,
        owner: job.owner,
        repo: job.repo,
        runId: job.runId ?? null,
        machineId: job.machineId ?? null,
        steps,
        events: events.filter((event) => event.jobId === job.id).map(eventRow),
      });
    },

    abort: (id, reason) =>
      withIssue(id, async (found) => {
        if (!found.inFlight) return err(nothingInFlight(found));
        return ok(await abortJob(found, found.inFlight, reason));
      }),

    steer: (id, message) =>
      withIssue(id, async (found) => {
        const valid = validText(message, 'message', STEER_MESSAGE_LIMIT);
        if (valid.isErr()) return err(valid.error);
        if (!found.inFlight) return err(nothingInFlight(found));
        await steering.enqueue(found.inFlight.id, valid.value);
        // The text is the operator's and may be long: the event carries its length only.
        publish('issue.steered', found, { jobId: found.inFlight.id, data: { length: valid.value.length } });
        return ok({ ok: true as const, jobId: found.inFlight.id, queued: true as const });
      }),

    setModel: async (id, model) =>
      (await override(id, 'model', model, MODEL_LIMIT)).map(({ identifier, value }) => ({
        ok: true as const,
        identifier,
        model: value,
      })),

    setTemplate: async (id, template) =>
      (await override(id, 'template', template, TEMPLATE_LIMIT)).map(({ identifier, value }) => ({
        ok: true as const,
        identifier,
        template: value,
      })),

    transition: (id, to, reason) =>
      withIssue(id, async (found) => {
        if (reason !== undefined && typeof reason !== 'string')
          return err({ kind: 'invalid', message: 'reason must be a string' });
        const manual = found.transitions.filter((t) => t.manual);
        const allowed = manual.map((t) => t.to).join(', ') || 'none';
        const from = found.stage ?? 'outside the lifecycle';
        if (typeof to !== 'string' || to.trim() === '')
          return err({ kind: 'invalid', message: `to is required; allowed from ${from}: ${allowed}` });
        const target = TARGET_ALIASES[to.trim()] ?? to.trim();
        const move = manual.find((t) => t.to === target);
        if (!move)
          return err({
            kind: 'invalid',
            message: `Cannot transition ${found.issue.identifier} from ${from} to ${to}; allowed: ${allowed}`,
          });

        let jobId: string | null = null;
        if (move.action === 'abort' && found.inFlight) {
          jobId = (await abortJob(found, found.inFlight, reason)).jobId;
        } else if (move.action === 'retry') {
          const done = await retry(found);
          if (done.isErr()) return err(done.error);
        } else {
          const dispatched = await dispatchNow(found, move.to === 'planning' ? 'planning' : 'implementation');
          if (dispatched.isErr()) return err(dispatched.error);
          jobId = dispatched.value.id;
        }
        publish('issue.transitioned', found, {
          ...(jobId ? { jobId } : {}),
          ...(reason ? { message: reason } : {}),
          data: { from: found.stage, to: move.to, action: move.action },
        });
        logger.info('issue transitioned by an operator', { issue: found.issue.identifier, from: found.stage, to: move.to });
        return ok({
          ok: true as const,
          identifier: found.issue.identifier,
          from: found.stage,
          to: move.to,
          action: move.action,
          jobId,
        });
      }),
  };
}

function row(found: Found): TransitionsRow {
  return {
    id: found.issue.id,
    identifier: found.issue.identifier,
    teamKey: found.issue.teamKey,
    stage: found.stage,
    inFlightJobId: found.inFlight?.id ?? null,
    transitions: found.transitions,
  };
}
