import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLocalForge, type LocalForge } from '../../../adapters/forge/local/local-forge.adapter.js';

const IDENTITY = {
  GIT_AUTHOR_NAME: 'Test Author',
  GIT_AUTHOR_EMAIL: 'test@localhost',
  GIT_COMMITTER_NAME: 'Test Author',
  GIT_COMMITTER_EMAIL: 'test@localhost',
};
const acme = { owner: 'acme', repo: 'app' };

const gitSync = (args: string[], cwd?: string) =>
  execFileSync('git', args, { cwd, env: { ...process.env, ...IDENTITY }, encoding: 'utf8' });

/** Two commits on `branch` off main: one changes README.md, one adds `<b>.html`. */
async function pushTwoCommits(forge: LocalForge, branch: string): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'ai-implement-work-'));
  try {
    gitSync(['clone', '--quiet', forge.cloneUrl(acme), work]);
    gitSync(['checkout', '--quiet', '-b', branch], work);
    await writeFile(join(work, 'README.md'), '# app\n\nNow with docs.\n');
    gitSync(['commit', '--quiet', '-am', 'Document the app'], work);
    await writeFile(join(work, 'page.html'), '<script>alert(1)</script>\n');
    gitSync(['add', 'page.html'], work);
    gitSync(['commit', '--quiet', '-m', 'Add a page'], work);
    gitSync(['push', '--quiet', 'origin', branch], work);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

describe('local forge: a pull request as the page shows it', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    while (cleanups.length > 0) await cleanups.pop()?.();
  });

  async function forgeWithPull() {
    const root = await mkdtemp(join(tmpdir(), 'ai-implement-forge-'));
    const forge = createLocalForge({ root, webUrl: 'http://127.0.0.1:9/local-forge' });
    cleanups.push(async () => {
      await forge.close();
      await rm(root, { recursive: true, force: true });
    });
    (await forge.createRepository(acme, 'main', { 'README.md': '# app\n' }))._unsafeUnwrap();
    await pushTwoCommits(forge, 'ai-implement/ENG-7');
    const pr = (
      await forge.openPullRequest(acme, {
        branch: 'ai-implement/ENG-7',
        base: 'main',
        title: 'ENG-7: docs',
        body: 'Closes ENG-7',
      })
    )._unsafeUnwrap();
    return { forge, pr };
  }

  it('has the title, body, branch, the commits oldest first and the unified diff against the base', async () => {
    const { forge, pr } = await forgeWithPull();
    const detail = (await forge.describePullRequest(acme, pr.number))._unsafeUnwrap();
    expect(detail).toMatchObject({
      number: pr.number,
      title: 'ENG-7: docs',
      body: 'Closes ENG-7',
      branch: 'ai-implement/ENG-7',
      baseBranch: 'main',
      diffTruncated: false,
    });
    expect(detail?.commits.map((c) => c.subject)).toEqual(['Document the app', 'Add a page']);
    expect(detail?.commits[0]?.author).toBe('Test Author');
    expect(detail?.headSha).toMatch(/^[0-9a-f]{40}$/);
    expect(detail?.diff).toContain('diff --git a/README.md b/README.md');
    expect(detail?.diff).toContain('+Now with docs.');
    expect(detail?.diff).toContain('+<script>alert(1)</script>');
  });

  it('shows only what the branch adds, not later commits on the base', async () => {
    const { forge, pr } = await forgeWithPull();
    (await forge.putFile(acme, 'base-only.txt', 'later\n', 'later on main', 'main'))._unsafeUnwrap();
    const detail = (await forge.describePullRequest(acme, pr.number))._unsafeUnwrap();
    expect(detail?.diff).not.toContain('base-only.txt');
    expect(detail?.commits).toHaveLength(2);
  });

  it('answers undefined for a number that was never opened, and notFound for a missing repository', async () => {
    const { forge } = await forgeWithPull();
    expect((await forge.describePullRequest(acme, 99))._unsafeUnwrap()).toBeUndefined();
    const missing = await forge.describePullRequest({ owner: 'acme', repo: 'nope' }, 1);
    expect(missing._unsafeUnwrapErr().kind).toBe('notFound');
  });
});
