import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeLinear, startFakeLinear } from '../../testing/fakes/linear/fake-linear.server.js';
import type { ServerProcess } from './server.js';
import { startWorld, type World, waitFor } from './world.js';

/**
 * error-codes…txt "Issue lifecycle" on Linear, through the real server: the label of each stage
 * (AI-Implement you add, AI-Planning, Plan-Complete, AI-Working, Ready for Review) and the failed
 * stages (AI labels removed, plus `⚠️ Planning failed: {reason}` / `⚠️ Implementation failed:
 * {reason}`). Runs launch as Fly machines; their tokens drive the outcomes.
 */

const PR_URL = 'https://github.example/acme/widgets/pull/52';
const AI_LABELS = ['AI-Implement', 'AI-Planning', 'Plan-Complete', 'AI-Working', 'Ready for Review'];

let w: World;
let s: ServerProcess;
let linear: FakeLinear;
beforeAll(async () => {
  linear = await startFakeLinear();
  w = await startWorld({ LINEAR_API_KEY: linear.apiKey, LINEAR_API_URL: linear.url });
  s = w.s;
  const linearMapping = { ticketing: 'linear', maxInProgressAiIssues: 5 };
  await w.mapping({ ...linearMapping, planningEnabled: true, autoApprovePlans: true }, 'AUTO');
  await w.mapping({ ...linearMapping, planningEnabled: true, autoApprovePlans: false }, 'WAIT');
  await w.mapping({ ...linearMapping, planningEnabled: false }, 'IMPL');
}, 60_000);
afterAll(async () => {
  await w?.close();
  await linear?.close();
});

const labelsOf = (identifier: string) => {
  const issue = linear.store.issue(identifier);
  return issue ? linear.store.labelNames(issue).filter((l) => AI_LABELS.includes(l)) : [];
};
const commentsOf = (identifier: string) => {
  const issue = linear.store.issue(identifier);
  return issue ? linear.store.commentsOf(issue.id).map((c) => c.body) : [];
};
/** Labels a dispatch puts on (the move may land just after the machine starts). */
const wears = (identifier: string, labels: string[]) =>
  waitFor(
    () => (JSON.stringify(labelsOf(identifier)) === JSON.stringify(labels) ? labels : undefined),
    `${identifier} wearing ${labels.join(', ')} (wears ${labelsOf(identifier).join(', ')})`,
  );

/** Machines already handed out by `runOf`. */
const launched = new Set<string>();
/** The machine env of the next `phase` run of `identifier`. */
function runOf(identifier: string, phase: string): Promise<Record<string, string>> {
  return waitFor(() => {
    const machine = w.fly.machines().find((m) => {
      const env = m.config.env as Record<string, string> | undefined;
      return env?.AI_IMPLEMENT_ISSUE === identifier && env.AI_IMPLEMENT_PHASE === phase && !launched.has(m.id);
    });
    if (!machine) return undefined;
    launched.add(machine.id);
    return machine.config.env as Record<string, string>;
  }, `the ${phase} run of ${identifier}`);
}
/** Triggered: an issue the user labelled AI-Implement, and a reconcile to pick it up. */
async function trigger(teamKey: string, title: string): Promise<string> {
  const { identifier } = linear.store.addIssue({ teamKey, title, labels: ['AI-Implement', 'frontend'] });
  expect((await s.call('POST', '/api/v1/refresh', { token: true })).status).toBe(202);
  return identifier;
}
const result = async (env: Record<string, string>, body: Record<string, unknown>) => {
  const res = await s.call('POST', '/runner/result', { token: env.AI_IMPLEMENT_RESULT_TOKEN as string, body });
  expect(res.status, res.text).toBe(200);
  return res.body.status;
};
const planned = { phase: 'planning', outcome: 'success', comments: [], plan: '1. Build it' };

describe('the Linear label of each stage', () => {
  it('Triggered → Planning (AI-Planning) → Plan complete, auto-approved → Implementing (AI-Working) → PR opened (Ready for Review)', async () => {
    const id = await trigger('AUTO', 'All the way');
    const plan = await runOf(id, 'planning');
    await wears(id, ['AI-Implement', 'AI-Planning']);
    expect(await result(plan, planned)).toBe('completed');
    const impl = await runOf(id, 'implementation');
    await wears(id, ['AI-Implement', 'AI-Working']);
    const done = { phase: 'implementation', outcome: 'success', comments: [], prUrl: PR_URL, prNumber: 52 };
    expect(await result(impl, done)).toBe('completed');
    expect(labelsOf(id)).toEqual(['AI-Implement', 'Ready for Review']);
    expect(commentsOf(id).join('\n')).toContain(PR_URL);
    // Labels that are not AI-Implement's own stay where they were.
    expect(linear.store.labelNames(linear.store.issue(id)!)).toContain('frontend');
  });

  it('Plan complete (Plan-Complete): without autoApprovePlans the issue waits there', async () => {
    const id = await trigger('WAIT', 'Waits for approval');
    expect(await result(await runOf(id, 'planning'), planned)).toBe('completed');
    expect(labelsOf(id)).toEqual(['AI-Implement', 'Plan-Complete']);
  });
});

describe('a tracker that says RATELIMITED when a run ends', () => {
  it('gets the stage move and the PR comment later, in order, once it takes requests again', async () => {
    const id = await trigger('IMPL', 'Ends while Linear is rate limited');
    const impl = await runOf(id, 'implementation');
    await wears(id, ['AI-Implement', 'AI-Working']);
    linear.failEvery({ kind: 'rateLimited', resetInMs: 1_000 });
    const done = { phase: 'implementation', outcome: 'success', comments: [], prUrl: PR_URL, prNumber: 52 };
    try {
      expect(await result(impl, done)).toBe('completed');
      expect(labelsOf(id)).toEqual(['AI-Implement', 'AI-Working']);
    } finally {
      linear.failEvery(undefined);
    }
    // Held back, then retried (the first retry 30 s after, looked for every 10 s).
    await waitFor(() => (labelsOf(id).includes('Ready for Review') ? true : undefined), `${id} Ready for Review`, 60_000);
    expect(labelsOf(id)).toEqual(['AI-Implement', 'Ready for Review']);
    await waitFor(() => (commentsOf(id).some((c) => c.includes(PR_URL)) ? true : undefined), `the PR comment on ${id}`);
  }, 90_000);
});

describe('the failed stages: AI labels removed, plus a comment', () => {
  it.each([
    ['AUTO', 'planning', 'LLM invocation failed with exit code 1: overloaded', '⚠️ Planning failed: '],
    ['IMPL', 'implementation', 'PR creation failed with HTTP 422: a pull request already exists', '⚠️ Implementation failed: '],
  ])('%s: a failed %s run', async (teamKey, phase, reason, prefix) => {
    const id = await trigger(teamKey, `Fails in ${phase}`);
    const run = await runOf(id, phase);
    await wears(id, ['AI-Implement', phase === 'planning' ? 'AI-Planning' : 'AI-Working']);
    expect(await result(run, { phase, outcome: 'failure', comments: [], error: reason })).toBe('failed');
    expect(labelsOf(id)).toEqual([]);
    expect(commentsOf(id)).toContain(`${prefix}${reason}`);
  });
});

describe('Blocker reasons', () => {
  it('no-mapping: No mapping for team {team}. Add one in Projects.', async () => {
    const { identifier } = linear.store.addIssue({ teamKey: 'NOMAP', title: 'Nobody maps this team', labels: ['AI-Implement'] });
    expect((await s.call('POST', '/api/v1/refresh', { token: true })).status).toBe(202);
    const row = await waitFor(async () => {
      const res = await s.call('GET', '/api/blockers', { token: true });
      return (res.body.blockers as { identifier: string; reason: string; message: string }[]).find(
        (b) => b.identifier === identifier,
      );
    }, `${identifier} in the Blockers view`);
    expect(row).toMatchObject({ reason: 'no-mapping', message: 'No mapping for team NOMAP. Add one in Projects.' });
    expect(w.fly.machines().some((m) => (m.config.env as Record<string, string>)?.AI_IMPLEMENT_ISSUE === identifier)).toBe(false);
  });
});
