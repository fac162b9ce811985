import { sign } from '@octokit/webhooks-methods';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OWNER, REPO } from '../../testing/fakes/github/seed.js';
import { ping, pullRequestClosed, reviewSubmitted } from '../hosts/github/payloads.js';
import { ACCESS_CODE, expectAnswer, type ServerProcess, startServerProcess } from './server.js';
import { GAP_FILL_SECRET, startWorld, TEAM, WEBHOOK_SECRET, type World } from './world.js';

/**
 * error-codes…txt: POST /api/github/webhook, POST /trigger/gap-fill, POST
 * /api/mappings/{teamKey}/sync-workflows; admin-ui-and-api.txt "Webhook and trigger endpoints".
 */

let w: World;
let s: ServerProcess;
beforeAll(async () => {
  w = await startWorld();
  s = w.s;
  await w.mapping();
  await w.mapping({}, 'PAUSED');
  expect((await s.call('PATCH', '/api/mappings/PAUSED', { body: { paused: true }, token: true })).status).toBe(200);
}, 60_000);
afterAll(() => w.close());

const webhook = async (event: string, payload: unknown, options: { raw?: string; signature?: string | null } = {}) => {
  const raw = options.raw ?? JSON.stringify(payload);
  const signature = options.signature === undefined ? await sign(WEBHOOK_SECRET, raw) : options.signature;
  return s.call('POST', '/api/github/webhook', {
    raw,
    headers: {
      'content-type': 'application/json',
      'x-github-event': event,
      ...(signature === null ? {} : { 'x-hub-signature-256': signature }),
    },
  });
};

/** A merged-PR payload, as far as these tests edit it. */
type Merged = { number?: unknown; repository?: unknown; pull_request: Record<string, unknown> };

const pull = { owner: OWNER, repo: REPO, number: 41, branch: 'ai-implement/ENG-1' };

describe('POST /api/github/webhook', () => {
  it('200: events that do not match a merged pull request are ignored', async () => {
    expect((await webhook('ping', ping(OWNER, REPO))).status).toBe(200);
    expect((await webhook('pull_request', pullRequestClosed(pull, false))).status).toBe(200);
    expect((await webhook('pull_request_review', reviewSubmitted(pull, 'approved', 5))).status).toBe(200);
    // A merged pull request the orchestrator does not track.
    expect((await webhook('pull_request', pullRequestClosed(pull, true))).status).toBe(200);
  });

  it('401 Invalid signature: X-Hub-Signature-256 did not verify', async () => {
    const body = pullRequestClosed(pull, true);
    expectAnswer(await webhook('pull_request', body, { signature: null }), 401, { error: 'Invalid signature' });
    expectAnswer(await webhook('pull_request', body, { signature: 'sha256=00' }), 401, { error: 'Invalid signature' });
    const other = await sign('another-secret', JSON.stringify(body));
    expectAnswer(await webhook('pull_request', body, { signature: other }), 401, { error: 'Invalid signature' });
  });

  it('400 Invalid JSON payload: body could not be parsed as JSON', async () => {
    expectAnswer(await webhook('pull_request', undefined, { raw: '{"action":"closed",' }), 400, {
      error: 'Invalid JSON payload',
    });
    // Signed or not: the body is refused for what it is.
    expectAnswer(await webhook('pull_request', undefined, { raw: 'not json', signature: null }), 400, {
      error: 'Invalid JSON payload',
    });
  });

  it.each([
    [
      'number',
      (p: Merged) => {
        delete p.pull_request.number;
        delete p.number;
      },
    ],
    [
      'URL',
      (p: Merged) => {
        delete p.pull_request.html_url;
      },
    ],
    [
      'branch',
      (p: Merged) => {
        delete p.pull_request.head;
      },
    ],
    [
      'merge-commit SHA',
      (p: Merged) => {
        p.pull_request.merge_commit_sha = null;
      },
    ],
    [
      'repository',
      (p: Merged) => {
        delete p.repository;
      },
    ],
  ])('400 Missing required PR fields: the merged-PR payload has no %s', async (_field, strip) => {
    const payload = pullRequestClosed(pull, true) as unknown as Merged;
    strip(payload);
    expectAnswer(await webhook('pull_request', payload), 400, { error: 'Missing required PR fields' });
  });
});

describe('POST /api/github/webhook without an X-GitHub-Event header', () => {
  it('a signed merged-PR payload is still judged as one: 400 Missing required PR fields', async () => {
    const payload = pullRequestClosed(pull, true) as unknown as Merged;
    payload.pull_request.merge_commit_sha = null;
    const raw = JSON.stringify(payload);
    const res = await s.call('POST', '/api/github/webhook', {
      raw,
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': await sign(WEBHOOK_SECRET, raw) },
    });
    expectAnswer(res, 400, { error: 'Missing required PR fields' });
  });
});

describe('POST /api/github/webhook with GITHUB_WEBHOOK_SECRET unset', () => {
  it('503 (endpoint disabled), with an error field, signed or not', async () => {
    const bare = await startServerProcess({ ADMIN_ACCESS_CODE: ACCESS_CODE, STORAGE_URL: 'memory:' });
    try {
      const raw = JSON.stringify(pullRequestClosed(pull, true));
      const signed: Record<string, string>[] = [{}, { 'x-hub-signature-256': await sign(WEBHOOK_SECRET, raw) }];
      for (const headers of signed) {
        const res = await bare.call('POST', '/api/github/webhook', {
          raw,
          headers: { 'content-type': 'application/json', 'x-github-event': 'pull_request', ...headers },
        });
        expect(res.status).toBe(503);
        expect(typeof res.body.error).toBe('string');
      }
    } finally {
      await bare.close();
    }
  }, 30_000);
});

describe('POST /trigger/gap-fill', () => {
  const trigger = (body: unknown, token: string | undefined = GAP_FILL_SECRET, raw?: string) =>
    s.call('POST', '/trigger/gap-fill', { ...(raw !== undefined ? { raw } : { body }), ...(token ? { token } : {}) });

  /** An issue on the embedded tracker, without the trigger label (so nothing dispatches it by itself). */
  const fileIssue = async (teamKey: string) => {
    const res = await s.call('POST', '/api/tracker/issues', { token: true, body: { teamKey, title: 'Gap fill' } });
    expect(res.status, res.text).toBe(201);
    return (res.body.issue as { identifier: string }).identifier;
  };

  it('401 unauthorized: missing bearer token, or it does not match the trigger secret', async () => {
    expectAnswer(await trigger({ issueKey: 'ENG-1', prNumber: 1 }, ''), 401, { error: 'unauthorized' });
    expectAnswer(await trigger({ issueKey: 'ENG-1', prNumber: 1 }, 'wrong-secret'), 401, { error: 'unauthorized' });
    expectAnswer(await trigger({ issueKey: 'ENG-1', prNumber: 1 }, ACCESS_CODE), 401, { error: 'unauthorized' });
  });

  it.each([
    ['issueKey missing', { prNumber: 3 }],
    ['prNumber missing', { issueKey: 'ENG-1' }],
    ['prNumber 0', { issueKey: 'ENG-1', prNumber: 0 }],
    ['prNumber negative', { issueKey: 'ENG-1', prNumber: -4 }],
    ['prNumber fractional', { issueKey: 'ENG-1', prNumber: 1.5 }],
    ['prNumber a string', { issueKey: 'ENG-1', prNumber: '3' }],
  ])('400 issueKey and positive integer prNumber required (%s)', async (_name, body) => {
    expectAnswer(await trigger(body), 400, { error: 'issueKey and positive integer prNumber required' });
  });

  it('400 for a body that is not JSON at all (once authorized)', async () => {
    expectAnswer(await trigger(undefined, GAP_FILL_SECRET, 'issueKey=ENG-1'), 400, {
      error: 'issueKey and positive integer prNumber required',
    });
  });

  it('404 mapping_not_found: no configured mapping owns an issue with this key', async () => {
    expectAnswer(await trigger({ issueKey: 'NOPE-1', prNumber: 3 }), 404, { error: 'mapping_not_found' });
  });

  it('423 project_paused: the owning mapping is paused (response also includes teamKey)', async () => {
    const issueKey = await fileIssue('PAUSED');
    expectAnswer(await trigger({ issueKey, prNumber: 3 }), 423, { error: 'project_paused', teamKey: 'PAUSED' });
  });

  it('accepted: a gap-fill run is dispatched for the pull request', async () => {
    const issueKey = await fileIssue(TEAM);
    const res = await trigger({ issueKey, prNumber: 8 });
    expect(res.status, res.text).toBeGreaterThanOrEqual(200);
    expect(res.status).toBeLessThan(300);
  });

  it('502 dispatch_failed (response also includes detail and dispatchStatus)', async () => {
    const issueKey = await fileIssue(TEAM);
    // Every launch attempt fails (the last test of the fake Fly's machines here).
    w.fly.failNext({ status: 500, error: 'fly is down', method: 'POST', path: /\/machines$/, times: 50 });
    const res = await trigger({ issueKey, prNumber: 7 });
    expect(res.status, res.text).toBe(502);
    expect(res.body.error).toBe('dispatch_failed');
    expect(typeof res.body.detail).toBe('string');
    expect(typeof res.body.dispatchStatus).toBe('string');
    expect(Object.keys(res.body).sort()).toEqual(['detail', 'dispatchStatus', 'error']);
  });
});

describe('POST /trigger/gap-fill with GAP_FILL_TRIGGER_SECRET unset', () => {
  it('501 Gap fill trigger not configured', async () => {
    const bare = await startServerProcess({ STORAGE_URL: 'memory:' });
    try {
      for (const token of [undefined, GAP_FILL_SECRET]) {
        const res = await bare.call('POST', '/trigger/gap-fill', {
          body: { issueKey: 'ENG-1', prNumber: 1 },
          ...(token ? { token } : {}),
        });
        expectAnswer(res, 501, { error: 'Gap fill trigger not configured' });
      }
    } finally {
      await bare.close();
    }
  }, 30_000);
});

describe('POST /api/mappings/{teamKey}/sync-workflows', () => {
  it('200: the templates are written into the mapping’s repository', async () => {
    const res = await s.call('POST', `/api/mappings/${TEAM}/sync-workflows`, { token: true });
    expect(res.status, res.text).toBe(200);
    expect(w.github.readFile(OWNER, REPO, '.github/workflows/claude-implement.yml')).toBeTruthy();
  });

  it('500 (underlying error message): the sync to GitHub failed', async () => {
    await w.mapping({ owner: 'nobody', repo: 'nothing' }, 'ORPHAN');
    const res = await s.call('POST', '/api/mappings/ORPHAN/sync-workflows', { token: true });
    expect(res.status).toBe(500);
    expect(typeof res.body.error).toBe('string');
    expect(res.body.error).not.toBe('');
  });

  it('GET /api/admin/template-status and /api/admin/config-status answer 200', async () => {
    expect((await s.call('GET', '/api/admin/template-status', { token: true })).status).toBe(200);
    expect((await s.call('GET', '/api/admin/config-status', { token: true })).status).toBe(200);
  });
});

describe('the order the checks apply in', () => {
  const trigger = (options: { raw?: string; body?: unknown; token?: string }) => s.call('POST', '/trigger/gap-fill', options);

  it('/trigger/gap-fill: the bearer (401) before the body (400)', async () => {
    expectAnswer(await trigger({ raw: 'not json' }), 401, { error: 'unauthorized' });
    expectAnswer(await trigger({ body: { prNumber: -1 }, token: 'wrong' }), 401, { error: 'unauthorized' });
    expectAnswer(await trigger({ body: { prNumber: -1 }, token: GAP_FILL_SECRET }), 400, {
      error: 'issueKey and positive integer prNumber required',
    });
  });

  it('/trigger/gap-fill: the body (400) before the mapping (404)', async () => {
    expectAnswer(await trigger({ body: { issueKey: 'NOPE-1', prNumber: 0 }, token: GAP_FILL_SECRET }), 400, {
      error: 'issueKey and positive integer prNumber required',
    });
  });

  it('/api/github/webhook: a merged PR missing its fields is refused for its signature first (401)', async () => {
    const payload = pullRequestClosed(pull, true) as unknown as Merged;
    payload.pull_request.merge_commit_sha = null;
    expectAnswer(await webhook('pull_request', payload, { signature: null }), 401, { error: 'Invalid signature' });
    expectAnswer(await webhook('pull_request', payload, { signature: 'sha256=00' }), 401, { error: 'Invalid signature' });
  });
});

describe('POST /trigger/gap-fill with GAP_FILL_TRIGGER_SECRET unset, whatever the request', () => {
  it('501 before the bearer and the body', async () => {
    const bare = await startServerProcess({ STORAGE_URL: 'memory:' });
    try {
      for (const options of [{ raw: 'not json' }, { body: {}, token: 'wrong' }]) {
        expectAnswer(await bare.call('POST', '/trigger/gap-fill', options), 501, { error: 'Gap fill trigger not configured' });
      }
    } finally {
      await bare.close();
    }
  }, 30_000);
});
