import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import {
  deliver,
  type GithubHarness,
  OWNER,
  openPullThroughARun,
  REPO,
  startGithubHarness,
  WEBHOOK_SECRET,
} from '../hosts/github/github-harness.js';
import { ping, reviewSubmitted } from '../hosts/github/payloads.js';
import { type Harness, jsonOf, startHarness } from '../hosts/harness.js';

/**
 * Issue 13, "Who may start work": a review re-dispatch only from a reviewer with write
 * permission; the webhook HMAC over the exact bytes; extraEnv refuses loader and path variables.
 */

let g: GithubHarness | undefined;
let h: Harness | undefined;
afterEach(async () => {
  await g?.close();
  await h?.close();
  g = h = undefined;
});

describe('a review asking for changes re-dispatches only for a reviewer with write permission', () => {
  it.each(['CONTRIBUTOR', 'FIRST_TIME_CONTRIBUTOR', 'FIRST_TIMER', 'MANNEQUIN', 'NONE', undefined])(
    'ignores a review by author_association %s: no run starts',
    async (association) => {
      g = await startGithubHarness();
      const opened = await openPullThroughARun(g);
      const jobsBefore = (await g.h.orchestrator.cradle.storage.jobs.list({ issueId: opened.issue.id })).length;
      const payload = reviewSubmitted(opened.pull, 'changes_requested', 701);
      const review = { ...payload.review, author_association: association };
      const res = await deliver(g.h, 'pull_request_review', { ...payload, review });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({
        ok: true,
        ignored: `review by a user without write permission (author_association ${association ?? 'NONE'})`,
      });
      expect(await g.h.orchestrator.cradle.storage.jobs.list({ issueId: opened.issue.id })).toHaveLength(jobsBefore);
    },
  );

  it.each(['OWNER', 'MEMBER', 'COLLABORATOR'])('re-dispatches for author_association %s', async (association) => {
    g = await startGithubHarness();
    const opened = await openPullThroughARun(g);
    g.h.clock.advance(5 * 60_000);
    const payload = reviewSubmitted(opened.pull, 'changes_requested', 702);
    const res = await deliver(g.h, 'pull_request_review', {
      ...payload,
      review: { ...payload.review, author_association: association },
    });
    expect(await res.json()).toMatchObject({ ok: true, handled: 'redispatched', iteration: 2 });
  });
});

describe('the GitHub webhook signature covers the exact request bytes', () => {
  // A body with bytes that are not UTF-8: decoding it would turn them into U+FFFD.
  const body = Buffer.concat([Buffer.from('{"zen":"'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('","hook_id":1}')]);
  const hmac = (bytes: Buffer | string) => `sha256=${createHmac('sha256', WEBHOOK_SECRET).update(bytes).digest('hex')}`;
  const send = (raw: Buffer, signature: string) =>
    g?.h.call('POST', '/api/github/webhook', {
      raw,
      headers: { 'x-github-event': 'ping', 'x-hub-signature-256': signature },
    }) as Promise<Response>;

  it('accepts a signature over the raw bytes', async () => {
    g = await startGithubHarness();
    const res = await send(body, hmac(body));
    expect(res.status).toBe(200);
  });

  it('refuses a signature over the decoded text of other bytes', async () => {
    g = await startGithubHarness();
    // The signer of the decoded text never signed these bytes.
    const decodedText = body.toString('utf8');
    const res = await send(body, hmac(decodedText));
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: 'Invalid signature' });
  });

  it('still accepts an ordinary delivery, and the uppercase-hex form GitHub never sends but HMAC allows', async () => {
    g = await startGithubHarness();
    expect((await deliver(g.h, 'ping', ping(OWNER, REPO))).status).toBe(200);
    const raw = Buffer.from(JSON.stringify(ping(OWNER, REPO)));
    expect((await send(raw, hmac(raw).toUpperCase().replace('SHA256=', 'sha256='))).status).toBe(200);
  });
});

describe('a mapping’s extraEnv refuses loader, path and git variables', () => {
  const ENG = { teamKey: 'ENG', owner: 'acme', repo: 'web', defaultBranch: 'main' };

  it.each([
    'NODE_OPTIONS',
    'PATH',
    'LD_PRELOAD',
    'LD_LIBRARY_PATH',
    'DYLD_INSERT_LIBRARIES',
    'GIT_SSH_COMMAND',
    'GIT_CONFIG_COUNT',
  ])('answers 400 naming %s, on create and on replace, storing nothing', async (name) => {
    h = await startHarness();
    const token = await h.login();
    const message = `extraEnv must not set ${name} (NODE_OPTIONS, PATH, LD_*, DYLD_* and GIT_* are refused)`;
    const created = await h.call('POST', '/api/mappings', { body: { ...ENG, extraEnv: { SAFE: '1', [name]: 'x' } }, token });
    expect(created.status).toBe(400);
    expect(await jsonOf(created)).toEqual({ error: message });
    expect((await h.call('POST', '/api/mappings', { body: ENG, token })).status).toBe(200);
    const updated = await h.call('POST', '/api/mappings', { body: { ...ENG, extraEnv: { [name]: 'x' } }, token });
    expect(updated.status).toBe(400);
    expect(await jsonOf(updated)).toEqual({ error: message });
    const stored = (await jsonOf(await h.call('GET', '/api/mappings', { token }))).mappings as { extraEnv: object }[];
    expect(stored[0]?.extraEnv).toEqual({});
  });

  it('accepts ordinary variables, including look-alikes', async () => {
    h = await startHarness();
    const token = await h.login();
    const extraEnv = { NODE_ENV: 'test', MY_PATH: '/x', GITHUB_ORG: 'acme', LDAP_URL: 'ldap://x' };
    const res = await h.call('POST', '/api/mappings', { body: { ...ENG, extraEnv }, token });
    expect(res.status).toBe(200);
  });
});
