import type { Clock } from '../../../ports/clock.port.js';
import type { EventBus } from '../../../ports/event-bus.port.js';
import type { Logger } from '../../../ports/logger.port.js';
import { collection, type Storage } from '../../../ports/storage.port.js';
import { implementationFailedComment, redactSecrets } from '../../domain/comments.js';
import type { Job, JobStatus, Phase } from '../../domain/model.js';
import { createMutex } from '../../domain/mutex.js';
import { type TicketingRegistry, ticketingFor } from '../issues/ticketing-registry.js';

/** The Storage collection of tracked pull requests, one record per pull request. */
export const PULLS_COLLECTION = collection<TrackedPull>('pulls');

/** One bot-opened pull request the orchestrator follows (the Pull requests panel, the GitHub webhook). */
export interface TrackedPull {
  /** `owner/repo#number`, owner and repo lower-cased: GitHub names are case-insensitive. */
  id: string;
  owner: string;
  repo: string;
  number: number;
  url: string;
  /** The head branch: the run's (mapping's branchPrefix + identifier), or what a webhook told. */
  branch?: string;
  issueId: string;
  identifier: string;
  teamKey: string;
  issueUrl?: string;
  /** The latest job that worked on the pull request (implementation, its re-runs, gap analysis). */
  jobId: string;
  phase: Phase;
  /** The implementation dispatch number that produced the current state of the PR. */
  iteration: number;
  lastDispatchAt: number;
  openedAt: number;
  merged: boolean;
  mergedAt?: number;
  mergeCommitSha?: string;
  updatedAt: number;
}

/** The panel's four words for a job: in flight is `running`, a timeout is a failure. */
export type PullJobStatus = 'running' | 'completed' | 'failed' | 'review_failed';

export interface PullRow {
  owner: string;
  repo: string;
  repository: string;
  number: number;
  url: string;
  branch: string | null;
  issue: { id: string; identifier: string; url: string | null };
  teamKey: string;
  job: { id: string; phase: Phase; status: JobStatus | null; runUrl: string | null };
  status: PullJobStatus | 'unknown';
  iteration: number;
  lastDispatchAt: string;
  secondsSinceLastDispatch: number;
  merged: boolean;
  mergedAt: string | null;
  links: { pullRequest: string; issue: string | null; run: string | null; repository: string };
}

export interface PullsDeps {
  /** Values redacted from the failure reasons it posts (the configured secrets). */
  secrets?: readonly string[];
  storage: Storage;
  clock: Clock;
  logger: Logger;
  eventBus: EventBus;
  ticketingRegistry: TicketingRegistry;
}

export interface PullsService {
  /** Every tracked pull request, the most recently dispatched first. */
  list(): Promise<PullRow[]>;
  find(owner: string, repo: string, number: number): Promise<TrackedPull | undefined>;
  /** The tracked pull request of an issue (by identifier, case-insensitive), with this number if given. */
  findForIssue(identifier: string, number?: number): Promise<TrackedPull | undefined>;
  /** Tracks (or updates) the pull request a finished job reports. Undefined when the job names none. */
  recordJob(job: Job): Promise<TrackedPull | undefined>;
  /** A new job now works on a tracked pull request (a re-run after review, a gap analysis). */
  noteDispatch(pull: TrackedPull, job: Job): Promise<TrackedPull>;
  /** Marks it merged; `changed` is false when it already was (a redelivered webhook). */
  markMerged(
    pull: TrackedPull,
    merge: { at: number; sha: string; branch: string; url: string },
  ): Promise<{ pull: TrackedPull; changed: boolean }>;
  /** Resolves once every job outcome seen so far has been recorded (tests, the list). */
  settled(): Promise<void>;
  /** Stops listening to job outcomes (container disposal). */
  stop(): void;
}

export const pullId = (owner: string, repo: string, number: number) => `${owner.toLowerCase()}/${repo.toLowerCase()}#${number}`;

/** `https://HOST/OWNER/REPO/pull/N[/…]` → its parts; undefined for anything else. */
export function parsePullUrl(url: string): { owner: string; repo: string; number: number } | undefined {
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    return undefined;
  }
  const m = /^\/([^/]+)\/([^/]+)\/pull\/(\d+)(?:\/|$)/.exec(path);
  if (!m?.[1] || !m[2] || !m[3]) return undefined;
  const number = Number(m[3]);
  return Number.isSafeInteger(number) && number > 0 ? { owner: m[1], repo: m[2], number } : undefined;
}

export function pullJobStatus(status: JobStatus): PullJobStatus {
  if (status === 'completed' || status === 'review_failed') return status;
  if (status === 'failed' || status === 'timed_out') return 'failed';
  return 'running';
}

/**
 * The notice for a run on an open pull request that failed. The lifecycle leaves an issue at
 * PR opened untouched (a failure there is not the issue's failure), so without this the ticket
 * would never hear of a failed re-run or gap analysis. A re-run is an implementation run, so its
 * notice is the spec's `⚠️ Implementation failed: {reason}` (the "🔁 Changes requested … Re-running
 * implementation" comment before it says which pull request and iteration); the spec words
 * nothing for a gap analysis, which says what it was working on.
 */
export function pullRunFailedComment(
  job: Pick<Job, 'phase' | 'dispatchNumber' | 'error' | 'timedOutReason'>,
  number: number,
): string {
  const reason = job.error ?? (job.timedOutReason ? `timed out (${job.timedOutReason})` : 'unknown error');
  if (job.phase !== 'gap-analysis') return implementationFailedComment(reason);
  return `⚠️ Gap analysis on pull request #${number} failed: ${reason}`;
}

const iso = (ms: number) => new Date(ms).toISOString();
/** The repository page next to the pull request's own URL (works for GitHub Enterprise hosts too). */
const repositoryUrl = (pull: TrackedPull) => pull.url.replace(/\/pull\/\d+.*$/, '');

/**
 * Pull request tracking. A record is made when an implementation job finishes with a pull
 * request (`job.completed` / `job.review_failed` on the event bus), so no other service needs
 * to know about it; later jobs on the same pull request (re-runs, gap analysis) update it.
 * The job status shown is read live from storage, so the list never lags the jobs. A run on a
 * tracked pull request that fails (`job.failed` / `job.timed_out`) gets a notice on the ticket.
 */
export function createPullsService({
  secrets = [],
  storage,
  clock,
  logger,
  eventBus,
  ticketingRegistry,
}: PullsDeps): PullsService {
  const writes = createMutex();
  const pending = new Set<Promise<unknown>>();

  const put = async (pull: TrackedPull) => {
    await storage.documents.put(PULLS_COLLECTION, pull.id, pull);
    return pull;
  };

  async function issueUrlOf(job: Job): Promise<string | undefined> {
    const target = await ticketingFor(storage, ticketingRegistry, job);
    if (!target) return undefined;
    const issue = await target.ticketing.getIssue(job.issueId, target.mapping);
    return issue.isOk() ? issue.value.url : undefined;
  }

  async function recordJob(job: Job): Promise<TrackedPull | undefined> {
    if (!job.prUrl) return undefined;
    const parsed = parsePullUrl(job.prUrl);
    const number = job.prNumber ?? parsed?.number;
    if (number === undefined) {
      logger.warn('pull request not tracked: no number in its URL', { jobId: job.id, prUrl: job.prUrl });
      return undefined;
    }
    const owner = parsed?.owner ?? job.owner;
    const repo = parsed?.repo ?? job.repo;
    const id = pullId(owner, repo, number);
    const existing = await storage.documents.get(PULLS_COLLECTION, id);
    // Only an implementation opens a pull request the bot owns; other phases update one it opened.
    if (!existing && job.phase !== 'implementation') return undefined;
    const issueUrl = existing?.issueUrl ?? (await issueUrlOf(job));
    // The run pushes `branchPrefix + identifier` (run-environment.ts); a webhook may tell it later.
    const mapping = existing?.branch ? undefined : await storage.mappings.get(job.teamKey);
    const branch = existing?.branch ?? (mapping ? `${mapping.branchPrefix}${job.identifier}` : undefined);
    return writes.run(async () => {
      const current = (await storage.documents.get(PULLS_COLLECTION, id)) ?? existing;
      const pull: TrackedPull = {
        ...current,
        id,
        owner,
        repo,
        number,
        url: job.prUrl ?? current?.url ?? '',
        issueId: job.issueId,
        identifier: job.identifier,
        teamKey: job.teamKey,
        jobId: job.id,
        phase: job.phase,
        iteration: job.phase === 'implementation' ? job.dispatchNumber : (current?.iteration ?? 1),
        lastDispatchAt: Math.max(job.dispatchedAt, current?.lastDispatchAt ?? 0),
        openedAt: current?.openedAt ?? job.updatedAt,
        merged: current?.merged ?? false,
        updatedAt: clock.now(),
      };
      // An older job's late outcome never replaces a newer job as the pull request's latest.
      if (current && current.lastDispatchAt > job.dispatchedAt) {
        pull.jobId = current.jobId;
        pull.phase = current.phase;
        pull.iteration = current.iteration;
      }
      if (issueUrl) pull.issueUrl = issueUrl;
      if (!pull.branch && branch) pull.branch = branch;
      return put(pull);
    });
  }

  /** A failed run that was working on a tracked pull request: say so on the ticket. */
  async function noticeFailure(job: Job): Promise<void> {
    if (job.prNumber === undefined) return;
    const pull = await storage.documents.get(PULLS_COLLECTION, pullId(job.owner, job.repo, job.prNumber));
    if (!pull || pull.jobId !== job.id) return;
    const ticketing = (await ticketingFor(storage, ticketingRegistry, job))?.ticketing;
    if (!ticketing) return;
    const posted = await ticketing.comment(job.issueId, redactSecrets(pullRunFailedComment(job, pull.number), secrets));
    if (posted.isErr()) logger.warn('could not comment on the issue', { issue: job.identifier, error: posted.error.message });
  }

  const FINISHED = new Set(['job.completed', 'job.review_failed', 'job.failed', 'job.timed_out']);
  const unsubscribe = eventBus.subscribe((event) => {
    if (!FINISHED.has(event.type) || !event.jobId) return;
    const jobId = event.jobId;
    const failed = event.type === 'job.failed' || event.type === 'job.timed_out';
    const work = (async () => {
      const job = await storage.jobs.get(jobId);
      if (!job) return;
      if (failed) await noticeFailure(job);
      else await recordJob(job);
    })()
      .catch((error) => logger.error('could not track the pull request', { jobId, error }))
      .finally(() => pending.delete(work));
    pending.add(work);
  });

  async function settled() {
    while (pending.size > 0) await Promise.all([...pending]);
  }

  return {
    settled,
    stop: unsubscribe,
    recordJob,

    find: (owner, repo, number) => storage.documents.get(PULLS_COLLECTION, pullId(owner, repo, number)),

    async findForIssue(identifier, number) {
      await settled();
      const wanted = identifier.toUpperCase();
      const all = await storage.documents.list(PULLS_COLLECTION);
      return all
        .filter((p) => p.identifier.toUpperCase() === wanted && (number === undefined || p.number === number))
        .sort((a, b) => b.lastDispatchAt - a.lastDispatchAt)[0];
    },

    noteDispatch: (pull, job) =>
      writes.run(async () => {
        const current = (await storage.documents.get(PULLS_COLLECTION, pull.id)) ?? pull;
        return put({
          ...current,
          jobId: job.id,
          phase: job.phase,
          iteration: job.phase === 'implementation' ? job.dispatchNumber : current.iteration,
          lastDispatchAt: job.dispatchedAt,
          updatedAt: clock.now(),
        });
      }),

    markMerged: (pull, merge) =>
      writes.run(async () => {
        const current = (await storage.documents.get(PULLS_COLLECTION, pull.id)) ?? pull;
        if (current.merged) return { pull: current, changed: false };
        const merged: TrackedPull = {
          ...current,
          url: merge.url,
          branch: merge.branch,
          merged: true,
          mergedAt: merge.at,
          mergeCommitSha: merge.sha,
          updatedAt: clock.now(),
        };
        return { pull: await put(merged), changed: true };
      }),

    async list() {
      await settled();
      const [pulls, now] = [await storage.documents.list(PULLS_COLLECTION), clock.now()];
      const jobs = new Map<string, Job | undefined>();
      await Promise.all(pulls.map(async (p) => jobs.set(p.jobId, await storage.jobs.get(p.jobId))));
      // Records made before the branch was kept: the run's branch from the mapping, when it still exists.
      const prefixes = pulls.some((p) => !p.branch)
        ? new Map((await storage.mappings.list()).map((m) => [m.teamKey, m.branchPrefix]))
        : new Map<string, string>();
      const branchOf = (p: TrackedPull) => {
        if (p.branch) return p.branch;
        const prefix = prefixes.get(p.teamKey);
        return prefix === undefined ? null : `${prefix}${p.identifier}`;
      };
      return pulls
        .sort((a, b) => b.lastDispatchAt - a.lastDispatchAt || a.id.localeCompare(b.id))
        .map((p): PullRow => {
          const job = jobs.get(p.jobId);
          return {
            owner: p.owner,
            repo: p.repo,
            repository: `${p.owner}/${p.repo}`,
            number: p.number,
            url: p.url,
            branch: branchOf(p),
            issue: { id: p.issueId, identifier: p.identifier, url: p.issueUrl ?? null },
            teamKey: p.teamKey,
            job: { id: p.jobId, phase: p.phase, status: job?.status ?? null, runUrl: job?.runUrl ?? null },
            status: job ? pullJobStatus(job.status) : 'unknown',
            iteration: p.iteration,
            lastDispatchAt: iso(p.lastDispatchAt),
            secondsSinceLastDispatch: Math.max(0, Math.floor((now - p.lastDispatchAt) / 1000)),
            merged: p.merged,
            mergedAt: p.mergedAt === undefined ? null : iso(p.mergedAt),
            links: { pullRequest: p.url, issue: p.issueUrl ?? null, run: job?.runUrl ?? null, repository: repositoryUrl(p) },
          };
        });
    },
  };
}
