import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeLinear } from '../../testing/fakes/linear/fake-linear.server.js';
import { ACCESS_CODE, type ServerProcess, startServerProcess } from './server.js';
import { startWorld, TEAM, type World, waitFor } from './world.js';

/**
 * error-codes…txt, seen through the API: ticket comments (progress and outcome), blocker
 * reasons, job status values and the issue lifecycle's Linear labels, on the embedded tracker
 * (which follows Linear's labels). Plus GET /api/issues and /api/blockers: 502 with the
 * underlying message when the ticketing provider fails.
 */

const PR_URL = 'https://github.example/acme/widgets/pull/77';

let w: World;
let s: ServerProcess;
beforeAll(async () => {
  w = await startWorld();
  s = w.s;
  await w.mapping({ maxInProgressAiIssues: 1 });
}, 60_000);
afterAll(() => w.close());

interface TrackerIssue {
  identifier: string;
  labels: string[];
  comments: { body: string }[];
}
const issue = async (ref: string): Promise<TrackerIssue> => {
  const res = await s.call('GET', `/api/tracker/issues/${ref}`, { token: true });
  expect(res.status, res.text).toBe(200);
  return res.body.issue as TrackerIssue;
};
const comments = async (ref: string) => (await issue(ref)).comments.map((c) => c.body);
const status = (nonce: string, event: string, extra: Record<string, unknown> = {}) =>
  s.call('POST', '/api/status', { body: { nonce, event, ...extra } });
const logStatus = async (identifier: string) => {
  const log = await s.call('GET', '/api/log', { token: true });
  const entries = log.body.entries as { identifier: string; status: string }[];
  return entries.find((e) => e.identifier === identifier)?.status;
};

let first: { identifier: string; env: Record<string, string> };
let second: string;

describe('a run from Triggered to Implementation failed, and the next one to PR opened', () => {
  it('Implementing: the run is dispatched, the issue wears AI-Working, the job is dispatched or running', async () => {
    first = await w.dispatch('First issue');
    const labels = (await issue(first.identifier)).labels;
    expect(labels).toContain('AI-Working');
    expect(['dispatched', 'running', 'unknown']).toContain(await logStatus(first.identifier));
  });

  it('concurrency: at concurrency cap (1/1). Waiting for a slot.', async () => {
    const created = await s.call('POST', '/api/tracker/issues', {
      token: true,
      body: { teamKey: TEAM, title: 'Second issue', labels: ['AI-Implement'] },
    });
    second = (created.body.issue as { identifier: string }).identifier;
    expect((await s.call('POST', '/api/v1/refresh', { token: true })).status).toBe(202);
    const row = await waitFor(async () => {
      const res = await s.call('GET', '/api/blockers', { token: true });
      return (res.body.blockers as { identifier: string; reason: string; message: string }[]).find(
        (b) => b.identifier === second,
      );
    }, 'the second issue in the Blockers view');
    expect(row.reason).toBe('concurrency');
    expect(row.message).toMatch(/at concurrency cap \(1\/1\)\. Waiting for a slot\.$/);
  });

  it.each([
    ['session_created', {}, '🚀 Session machine created. Cloning repo and running setup…'],
    ['environment_ready', {}, '✅ Environment ready. Claude is implementing…'],
    ['pr_opened', { prNumber: 77, prUrl: PR_URL }, `📝 Claude finished. PR #77 opened: ${PR_URL}`],
    ['verification_started', {}, '🧪 Running verification script…'],
    ['verification_passed', {}, '✅ Verification passed'],
    ['verification_failed', { detail: '2 tests failed' }, '❌ Verification failed: 2 tests failed'],
    ['session_cleaned_up', { durationMs: 65_000 }, '🧹 Session machine cleaned up. Duration: '],
    ['session_failed', { reason: 'disk full' }, '⚠️ Session failed: disk full. Machine will be cleaned up.'],
    ['session_timed_out', { reason: 'over 60 minutes' }, '⚠️ Session timed out: over 60 minutes. Machine will be cleaned up.'],
  ])('progress comment for %s', async (event, extra, headline) => {
    const res = await status(first.env.AI_IMPLEMENT_NONCE as string, event, extra);
    expect(res.status, res.text).toBe(200);
    const posted = await comments(first.identifier);
    expect(
      posted.some((c) => c.startsWith(headline)),
      `${headline} in ${JSON.stringify(posted)}`,
    ).toBe(true);
  });

  it('each progress comment also carries a timestamp, and the machine logs link when the session gives one', async () => {
    const logsUrl = 'https://fly.example/apps/sessions/machines/m-77/logs';
    const nonce = first.env.AI_IMPLEMENT_NONCE as string;
    expect((await status(nonce, 'verification_started', { logsUrl })).status).toBe(200);
    expect((await status(nonce, 'verification_passed')).status).toBe(200);
    const posted = await comments(first.identifier);
    const withLink = posted.filter((c) => c.startsWith('🧪 Running verification script…')).at(-1) ?? '';
    expect(withLink).toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z/);
    expect(withLink).toContain(logsUrl);
    const plain = posted.filter((c) => c.startsWith('✅ Verification passed')).at(-1) ?? '';
    expect(plain).toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z/);
  });

  it('⚠️ Implementation failed: {reason}; AI labels removed; the job is failed', async () => {
    const reason = 'Implementation failed: git clone failed (exit 128): repository not found';
    const res = await s.call('POST', '/runner/result', {
      token: first.env.AI_IMPLEMENT_RESULT_TOKEN as string,
      body: {
        phase: 'implementation',
        outcome: 'failure',
        comments: [],
        error: 'git clone failed (exit 128): repository not found',
      },
    });
    expect(res.status, res.text).toBe(200);
    const posted = await comments(first.identifier);
    expect(
      posted.some((c) => c.includes(`⚠️ ${reason}`)),
      JSON.stringify(posted),
    ).toBe(true);
    const labels = (await issue(first.identifier)).labels;
    expect(labels.filter((l) => ['AI-Implement', 'AI-Planning', 'Plan-Complete', 'AI-Working'].includes(l))).toEqual([]);
    expect(await logStatus(first.identifier)).toBe('failed');
  });

  it('dedup: Already dispatched recently. Waiting for the in-flight job.', async () => {
    // Re-triggered at once: the issue is still in the 24-hour dedup window.
    expect(
      (await s.call('POST', `/api/tracker/issues/${first.identifier}/labels`, { token: true, body: { label: 'AI-Implement' } }))
        .status,
    ).toBe(200);
    expect((await s.call('POST', '/api/v1/refresh', { token: true })).status).toBe(202);
    const row = await waitFor(async () => {
      const res = await s.call('GET', '/api/blockers', { token: true });
      return (res.body.blockers as { identifier: string; reason: string; message: string }[]).find(
        (b) => b.identifier === first.identifier,
      );
    }, 'the first issue blocked by dedup');
    expect(row).toMatchObject({ reason: 'dedup', message: 'Already dispatched recently. Waiting for the in-flight job.' });
    const dedup = await s.call('GET', '/api/dedup', { token: true });
    expect(dedup.status).toBe(200);
    expect(dedup.text).toContain(first.identifier);
  });

  it('PR opened: the freed slot goes to the second issue; a successful result moves it to Ready for Review, job completed', async () => {
    const machine = await waitFor(() => {
      const m = w.fly.machines().find((x) => (x.config.env as Record<string, string>)?.AI_IMPLEMENT_ISSUE === second);
      return m ? (m.config.env as Record<string, string>) : undefined;
    }, 'the second issue dispatched once a slot is free');
    const res = await s.call('POST', '/runner/result', {
      token: machine.AI_IMPLEMENT_RESULT_TOKEN as string,
      body: { phase: 'implementation', outcome: 'success', comments: [{ body: 'All done.' }], prUrl: PR_URL, prNumber: 77 },
    });
    expect(res.status, res.text).toBe(200);
    const ticket = await issue(second);
    expect(ticket.labels).toContain('Ready for Review');
    expect(ticket.labels).not.toContain('AI-Working');
    expect(ticket.comments.map((c) => c.body).join('\n')).toContain(PR_URL);
    expect(await logStatus(second)).toBe('completed');
    const pulls = await s.call('GET', '/api/pulls', { token: true });
    expect(pulls.text).toContain(PR_URL);
  });
});

describe('the dedup window and sessions, from the admin', () => {
  it('DELETE /api/dedup/{issueId} removes an issue from the window (by id or identifier)', async () => {
    const before = await s.call('GET', '/api/dedup', { token: true });
    const entry = (before.body.entries as { issueId: string; identifier: string }[]).find(
      (e) => e.identifier === first.identifier,
    );
    expect(entry).toBeDefined();
    const removed = await s.call('DELETE', `/api/dedup/${encodeURIComponent(entry?.issueId ?? '')}`, { token: true });
    expect(removed.status, removed.text).toBe(200);
    const after = await s.call('GET', '/api/dedup', { token: true });
    expect(after.text).not.toContain(`"${entry?.issueId}"`);
    const byIdentifier = await s.call('DELETE', `/api/dedup/${second}`, { token: true });
    expect(byIdentifier.status, byIdentifier.text).toBe(200);
  });

  it('DELETE /api/sessions/{machineId} destroys the machine, removes AI-Working and clears the dedup entry', async () => {
    // The first issue, out of the dedup window, may hold the one slot again: make room.
    expect((await s.call('PATCH', `/api/mappings/${TEAM}`, { token: true, body: { maxInProgressAiIssues: 5 } })).status).toBe(
      200,
    );
    const third = await w.dispatch('Third issue, destroyed from the admin');
    const machine = w.fly
      .machines()
      .find((m) => (m.config.env as Record<string, string>)?.AI_IMPLEMENT_ISSUE === third.identifier);
    expect((await issue(third.identifier)).labels).toContain('AI-Working');
    const res = await s.call('DELETE', `/api/sessions/${machine?.id}`, { token: true });
    expect(res.status, res.text).toBe(200);
    expect(w.fly.machine(machine?.id ?? '')?.state).toBe('destroyed');
    expect((await issue(third.identifier)).labels).not.toContain('AI-Working');
    expect((await s.call('GET', '/api/dedup', { token: true })).text).not.toContain(third.identifier);
  });
});

describe('502 (underlying error message): fetching issues from the ticketing provider failed', () => {
  it('GET /api/issues and GET /api/blockers with Linear refusing the key', async () => {
    const linear = await startFakeLinear();
    const server = await startServerProcess({
      ADMIN_ACCESS_CODE: ACCESS_CODE,
      STORAGE_URL: 'memory:',
      LINEAR_API_KEY: 'lin_api_wrong_key_000000',
      LINEAR_API_URL: linear.url,
      POLL_INTERVAL_MS: '3600000',
    });
    try {
      const saved = await server.call('POST', '/api/mappings', {
        token: true,
        body: { teamKey: 'ENG', owner: 'acme', repo: 'widgets', defaultBranch: 'main', ticketing: 'linear' },
      });
      expect(saved.status).toBe(200);
      for (const path of ['/api/issues', '/api/blockers']) {
        const res = await waitFor(async () => {
          const r = await server.call('GET', path, { token: true });
          return r.status === 502 ? r : undefined;
        }, `502 from ${path}`);
        expect(typeof res.body.error).toBe('string');
        expect(res.body.error).not.toBe('');
      }
    } finally {
      await server.close();
      await linear.close();
    }
  }, 60_000);
});
