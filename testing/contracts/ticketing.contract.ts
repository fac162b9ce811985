/**
 * The `Ticketing` contract (ports/ticketing.port.ts), run against every adapter: each adapter's
 * test file is one call to `ticketingContract(name, make)`.
 *
 * `make()` builds a fresh backend and an adapter on it for every test. Build the adapter
 * WITHOUT retries (e.g. `retry: { maxAttempts: 1 }`): the fault cases inject exactly one failure
 * and expect to see it; retrying is tested per adapter.
 *
 * The expected labels and statuses are the spec's "Issue lifecycle" table, written out here
 * rather than imported, so the suite checks the adapters against the spec and not against the
 * code that computes them; where the table is silent (the trigger label), the decision taken
 * in core/lifecycle.ts is checked.
 */
import type { Result, ResultAsync } from 'neverthrow';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Mapping, Stage, TicketIssue } from '../../core/domain/model.js';
import type { ServiceError } from '../../ports/errors.js';
import type { Ticketing } from '../../ports/ticketing.port.js';

export interface TicketingSubject {
  ticketing: Ticketing;
  /** A mapping whose scope the seeded issues are in. */
  mapping: Mapping;
  /** Seeds issues into the backend (fake server or store): returns their ids, in order. */
  seed(issues: SeedIssue[]): Promise<string[]>;
  /** Reads back what the backend now holds for an issue (labels or status, comments). */
  inspect(id: string): Promise<{ labels: string[]; status?: string; comments: string[] }>;
  /** Requests made to the backend so far (0 for embedded adapters); for the "no request per issue" check. */
  requestCount(): number;
  /** The adapter's listing page size; the paging bound is computed from it (default 50). */
  pageSize?: number;
  /** How finely the backend keeps times (GitHub: whole seconds); seeded times are compared at it (default 1 ms). */
  timeResolutionMs?: number;
  /** Makes the next backend call fail like the real service. Optional. */
  failNext?(kind: 'rateLimited' | 'serverError' | 'auth'): void;
  close(): Promise<void>;
}

export interface SeedIssue {
  identifier?: string;
  title: string;
  /** Carries the trigger (Linear/local: the `AI-Implement` label; Jira: the `Ready` status). */
  triggered: boolean;
  priority?: number;
  /** Epoch milliseconds. */
  createdAt?: number;
  /** Blocking issues, seeded beside this one (never triggered themselves). */
  blockedBy?: { title: string; open: boolean }[];
  /** Seeds the issue already at this lifecycle stage. */
  stage?: Stage;
}

/** The spec's lifecycle table: the Linear label of each stage (failed stages: AI labels removed). */
const LINEAR_STAGE_LABEL: Partial<Record<Stage, string>> = {
  planning: 'AI-Planning',
  plan_complete: 'Plan-Complete',
  implementing: 'AI-Working',
  pr_opened: 'Ready for Review',
};
const LIFECYCLE_LABELS = Object.values(LINEAR_STAGE_LABEL) as string[];

/** The spec's lifecycle table: the Jira status of each stage. */
const JIRA_STAGE_STATUS: Record<Stage, string> = {
  triggered: 'Ready',
  planning: 'Planning',
  plan_complete: 'Plan Approved',
  implementing: 'Implementing',
  pr_opened: 'PR Ready',
  planning_failed: 'Planning Failed',
  implementation_failed: 'Implementation Failed',
};

const isFailedStage = (stage: Stage) => stage === 'planning_failed' || stage === 'implementation_failed';

async function ok<T>(result: ResultAsync<T, ServiceError> | Promise<Result<T, ServiceError>>): Promise<T> {
  const r = await result;
  if (r.isErr()) throw new Error(`expected ok, got ${JSON.stringify(r.error)}`);
  return r.value;
}

async function fails<T>(result: ResultAsync<T, ServiceError>): Promise<ServiceError> {
  const r = await result;
  if (r.isOk()) throw new Error(`expected an error, got ${JSON.stringify(r.value)}`);
  return r.error;
}

const sorted = (xs: readonly string[]) => [...xs].sort();

export interface TicketingCapabilities {
  /**
   * The backend can fail like a remote service (`failNext`). False only for embedded trackers,
   * which have no network to fail: their fault cases are then not registered at all (vitest
   * registers tests before `make()` runs, so the subject cannot decide it itself).
   */
  faults?: boolean;
}

export function ticketingContract(
  name: string,
  make: () => Promise<TicketingSubject>,
  capabilities: TicketingCapabilities = {},
): void {
  const faulty = capabilities.faults !== false;
  describe(`${name} satisfies Ticketing`, () => {
    let s: TicketingSubject;
    beforeEach(async () => {
      s = await make();
    });
    afterEach(async () => {
      await s?.close();
    });

    /** Checks the backend holds what the lifecycle table gives for `stage`. */
    async function expectBackendAt(id: string, stage: Stage): Promise<void> {
      const held = await s.inspect(id);
      if (held.status !== undefined) {
        expect(held.status, `status at ${stage}`).toBe(JIRA_STAGE_STATUS[stage]);
        return;
      }
      const lifecycle = held.labels.filter((l) => LIFECYCLE_LABELS.includes(l));
      const label = LINEAR_STAGE_LABEL[stage];
      expect(lifecycle, `lifecycle labels at ${stage}`).toEqual(label ? [label] : []);
      // core/lifecycle.ts: the trigger stays while work goes on and goes with the AI labels on failure.
      if (isFailedStage(stage)) expect(held.labels, `labels at ${stage}`).not.toContain('AI-Implement');
      else expect(held.labels, `labels at ${stage}`).toContain('AI-Implement');
    }

    async function walk(id: string, stages: Stage[]): Promise<void> {
      for (const stage of stages) {
        const issue = await ok(s.ticketing.getIssue(id));
        await ok(s.ticketing.moveToStage(issue, stage, s.mapping));
        await expectBackendAt(id, stage);
        if (!isFailedStage(stage)) expect((await ok(s.ticketing.getIssue(id))).stage).toBe(stage);
      }
    }

    it('returns [] for an empty scope', async () => {
      expect(await ok(s.ticketing.listCandidates(s.mapping))).toEqual([]);
      await s.seed([{ title: 'not triggered', triggered: false }]);
      expect(await ok(s.ticketing.listCandidates(s.mapping))).toEqual([]);
    });

    it('lists exactly the triggered issues, with stage, labels, priority, creation time and blockers', async () => {
      const t0 = Date.UTC(2025, 0, 2, 3, 4, 5, 678);
      const ids = await s.seed([
        { title: 'urgent one', triggered: true, priority: 1, createdAt: t0 },
        { title: 'ignored', triggered: false, priority: 1, createdAt: t0 },
        {
          title: 'blocked one',
          triggered: true,
          priority: 3,
          createdAt: t0 + 60_000,
          blockedBy: [
            { title: 'open blocker', open: true },
            { title: 'done blocker', open: false },
          ],
        },
        { title: 'no priority', triggered: true, priority: 0, createdAt: t0 + 120_000 },
      ]);
      const listed = await ok(s.ticketing.listCandidates(s.mapping));
      expect(sorted(listed.map((i) => i.id))).toEqual(sorted([ids[0]!, ids[2]!, ids[3]!]));
      const at = (ms: number) => ms - (ms % (s.timeResolutionMs ?? 1));

      const byId = new Map(listed.map((i) => [i.id, i]));
      const urgent = byId.get(ids[0]!)!;
      expect(urgent).toMatchObject({ title: 'urgent one', stage: 'triggered', priority: 1, createdAt: at(t0), blockedBy: [] });
      expect(urgent.teamKey).toBe(s.mapping.teamKey);
      expect(urgent.identifier).toMatch(/\S/);
      expect(urgent.url).toMatch(/\S/);
      expect(byId.get(ids[3]!)).toMatchObject({ priority: 0, createdAt: at(t0 + 120_000) });

      const blocked = byId.get(ids[2]!)!;
      expect(blocked).toMatchObject({ priority: 3, createdAt: at(t0 + 60_000), stage: 'triggered' });
      expect(blocked.blockedBy.map((b) => b.open).sort()).toEqual([false, true]);
      for (const b of blocked.blockedBy) expect(b.identifier).toMatch(/\S/);
      expect(new Set(blocked.blockedBy.map((b) => b.identifier)).size).toBe(2);

      for (const issue of listed) expect(sorted(issue.labels)).toEqual(sorted((await s.inspect(issue.id)).labels));
    });

    it('lists issues seeded at a later stage with that stage (they count toward the cap)', async () => {
      const [id] = await s.seed([{ title: 'in flight', triggered: true, stage: 'implementing' }]);
      const listed = await ok(s.ticketing.listCandidates(s.mapping));
      expect(listed.map((i) => [i.id, i.stage])).toEqual([[id, 'implementing']]);
      await expectBackendAt(id!, 'implementing');
    });

    it('lists 120 issues at the cost of pages, never of issues', async () => {
      await s.seed(Array.from({ length: 120 }, (_, n) => ({ title: `issue ${n}`, triggered: true, priority: n % 5 })));
      const before = s.requestCount();
      const listed = await ok(s.ticketing.listCandidates(s.mapping));
      const cost = s.requestCount() - before;
      expect(listed).toHaveLength(120);
      expect(new Set(listed.map((i) => i.id)).size).toBe(120);
      expect(cost).toBeLessThanOrEqual(Math.ceil(120 / (s.pageSize ?? 50)) + 3);
    });

    it('moves an issue through every lifecycle stage to a PR', async () => {
      const [id] = await s.seed([{ title: 'happy path', triggered: true }]);
      await expectBackendAt(id!, 'triggered');
      await walk(id!, ['planning', 'plan_complete', 'implementing', 'pr_opened']);
    });

    it('removes the AI labels (or sets the failed status) when planning fails', async () => {
      const [id] = await s.seed([{ title: 'bad plan', triggered: true }]);
      await walk(id!, ['planning', 'planning_failed']);
    });

    it('removes the AI labels (or sets the failed status) when implementation fails', async () => {
      const [id] = await s.seed([{ title: 'bad code', triggered: true }]);
      await walk(id!, ['planning', 'plan_complete', 'implementing', 'implementation_failed']);
    });

    it('moves correctly from a stale snapshot of the issue', async () => {
      const [id] = await s.seed([{ title: 'stale', triggered: true }]);
      const snapshot = await ok(s.ticketing.getIssue(id!));
      for (const stage of ['planning', 'plan_complete', 'implementing'] as const) {
        await ok(s.ticketing.moveToStage(snapshot, stage, s.mapping));
        await expectBackendAt(id!, stage);
      }
    });

    it('treats a move to the current stage as a no-op that succeeds', async () => {
      const [id] = await s.seed([{ title: 'twice', triggered: true }]);
      await walk(id!, ['planning']);
      const held = await s.inspect(id!);
      await ok(s.ticketing.moveToStage(await ok(s.ticketing.getIssue(id!)), 'planning', s.mapping));
      const after = await s.inspect(id!);
      expect(sorted(after.labels)).toEqual(sorted(held.labels));
      expect(after.status).toBe(held.status);
      expect(after.comments).toEqual(held.comments);
    });

    it('posts exactly one comment per call', async () => {
      const [id] = await s.seed([{ title: 'talk to me', triggered: true }]);
      await ok(s.ticketing.comment(id!, '🚀 Session machine created. Cloning repo and running setup…'));
      expect((await s.inspect(id!)).comments).toEqual(['🚀 Session machine created. Cloning repo and running setup…']);
      await ok(s.ticketing.comment(id!, '✅ Verification passed'));
      expect((await s.inspect(id!)).comments).toHaveLength(2);
    });

    it('reads an issue by id, and answers notFound for an unknown id', async () => {
      const [id] = await s.seed([{ title: 'find me', triggered: true, priority: 2 }]);
      const issue: TicketIssue = await ok(s.ticketing.getIssue(id!));
      expect(issue).toMatchObject({ id, title: 'find me', priority: 2, stage: 'triggered', teamKey: s.mapping.teamKey });
      const missing = await fails(s.ticketing.getIssue('unknown-issue-0'));
      expect(missing.kind).toBe('notFound');
    });

    it('reads an issue for a mapping with that mapping’s team key, as listCandidates reports it', async () => {
      const [id] = await s.seed([{ title: 'whose', triggered: true }]);
      const listed = (await ok(s.ticketing.listCandidates(s.mapping))).find((i) => i.id === id);
      const read = await ok(s.ticketing.getIssue(id!, s.mapping));
      expect(read.teamKey).toBe(s.mapping.teamKey);
      expect(read.teamKey).toBe(listed?.teamKey);
    });

    if (faulty)
      it('resolves rateLimited with a positive retryAfterMs when the service says slow down', async () => {
        if (!s.failNext) throw new Error('the subject declares faults but has no failNext');
        s.failNext('rateLimited');
        const error = await fails(s.ticketing.listCandidates(s.mapping));
        expect(error.kind).toBe('rateLimited');
        if (error.kind === 'rateLimited') expect(error.retryAfterMs).toBeGreaterThan(0);
      });

    if (faulty)
      it('resolves auth when the credentials are rejected', async () => {
        if (!s.failNext) throw new Error('the subject declares faults but has no failNext');
        const [id] = await s.seed([{ title: 'x', triggered: true }]);
        s.failNext('auth');
        expect((await fails(s.ticketing.getIssue(id!))).kind).toBe('auth');
      });

    if (faulty)
      it('resolves unavailable on a server error, and a failed comment posts nothing', async () => {
        if (!s.failNext) throw new Error('the subject declares faults but has no failNext');
        const [id] = await s.seed([{ title: 'x', triggered: true }]);
        s.failNext('serverError');
        expect((await fails(s.ticketing.comment(id!, 'lost'))).kind).toBe('unavailable');
        expect((await s.inspect(id!)).comments).toEqual([]);
      });
  });
}
