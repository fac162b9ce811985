import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { createLocalForge, localForgeRoot } from '../../../adapters/forge/local/local-forge.adapter.js';
import { type Harness, startHarness } from '../harness.js';

const acme = { owner: 'acme', repo: 'app' };
const BRANCH = 'ai-implement/LOC-1';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** A repository of the orchestrator's own local forge with one pull request: a branch off main that adds a file. */
async function seedPull(harness: Harness): Promise<number> {
  const forge = createLocalForge({ root: localForgeRoot(harness.dataDir) });
  try {
    const path = (await forge.createRepository(acme, 'main', { 'README.md': '# app\n' }))._unsafeUnwrap();
    execFileSync('git', ['--git-dir', path, 'update-ref', `refs/heads/${BRANCH}`, 'refs/heads/main']);
    (await forge.putFile(acme, 'src/<b>.ts', 'export const b = "<b>";\n', 'Add <b>', BRANCH))._unsafeUnwrap();
    const pr = (
      await forge.openPullRequest(acme, { branch: BRANCH, base: 'main', title: 'LOC-1: add b', body: 'Closes LOC-1' })
    )._unsafeUnwrap();
    return pr.number;
  } finally {
    await forge.close();
  }
}

describe('the local forge’s pull-request pages', () => {
  it('serve the page without a bearer (it holds no data) under the admin CSP; the JSON needs the admin token', async () => {
    h = await startHarness();
    const n = await seedPull(h);
    const page = await h.call('GET', `/local-forge/acme/app/pull/${n}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await page.text();
    expect(html).toContain('/admin/assets/local-forge-pull.js');
    expect(html).not.toContain('LOC-1');

    const anonymous = await h.call('GET', `/api/local-forge/acme/app/pulls/${n}`);
    expect(anonymous.status).toBe(401);

    const token = await h.login();
    const res = await h.call('GET', `/api/local-forge/acme/app/pulls/${n}`, { token });
    expect(res.status).toBe(200);
    const pr = (await res.json()) as Record<string, unknown> & { commits: { subject: string }[]; diff: string };
    expect(pr).toMatchObject({ number: n, title: 'LOC-1: add b', body: 'Closes LOC-1', branch: BRANCH, baseBranch: 'main' });
    expect(pr.commits.map((c) => c.subject)).toEqual(['Add <b>']);
    expect(pr.diff).toContain('+export const b = "<b>";');
  });

  it('answer 404 Not found for a number, repository or path the forge does not have', async () => {
    h = await startHarness();
    const n = await seedPull(h);
    const token = await h.login();
    for (const path of [
      `/api/local-forge/acme/app/pulls/${n + 1}`,
      '/api/local-forge/acme/app/pulls/abc',
      '/api/local-forge/acme/app/pulls/0',
      `/api/local-forge/acme/other/pulls/${n}`,
      `/api/local-forge/acme/..%2F..%2Fetc/pulls/${n}`,
    ]) {
      const res = await h.call('GET', path, { token });
      expect(res.status, path).toBe(404);
      expect(await res.json(), path).toEqual({ error: 'Not found' });
    }
  });

  it('do not exist while the admin is disabled', async () => {
    h = await startHarness('memory', {});
    const n = await seedPull(h);
    expect((await h.call('GET', `/local-forge/acme/app/pull/${n}`)).status).toBe(404);
    expect((await h.call('GET', `/api/local-forge/acme/app/pulls/${n}`)).status).toBe(404);
  });
});
