import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLocalForge, type LocalForge } from '../../../adapters/forge/local/local-forge.adapter.js';
import { forgeContract } from '../../../testing/contracts/forge.contract.js';

const IDENTITY = {
  GIT_AUTHOR_NAME: 'Test',
  GIT_AUTHOR_EMAIL: 'test@localhost',
  GIT_COMMITTER_NAME: 'Test',
  GIT_COMMITTER_EMAIL: 'test@localhost',
};
const WORKFLOW = 'claude-implement.yml';
const acme = { owner: 'acme', repo: 'app' };

function gitSync(args: string[], cwd?: string): string {
  return execFileSync('git', args, { cwd, env: { ...process.env, ...IDENTITY }, encoding: 'utf8' });
}

/** Clones the bare repository, commits `files` on a new branch off main, and pushes it. */
async function pushBranch(forge: LocalForge, branch: string, files: Record<string, string>): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'ai-implement-work-'));
  try {
    gitSync(['clone', '--quiet', forge.cloneUrl(acme), work]);
    gitSync(['checkout', '--quiet', '-b', branch], work);
    for (const [file, content] of Object.entries(files)) {
      await writeFile(join(work, file.replaceAll('/', '-')), content);
    }
    gitSync(['add', '--all'], work);
    gitSync(['commit', '--quiet', '-m', `change on ${branch}`], work);
    gitSync(['push', '--quiet', 'origin', branch], work);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function freshForge(): Promise<{ forge: LocalForge; root: string; cleanup: () => Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), 'ai-implement-forge-'));
  const forge = createLocalForge({ root });
  (
    await forge.createRepository(acme, 'main', { 'README.md': '# app\n', [`.github/workflows/${WORKFLOW}`]: 'name: x\n' })
  )._unsafeUnwrap();
  return {
    forge,
    root,
    cleanup: async () => {
      await forge.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}

forgeContract('local', async () => {
  const { forge, cleanup } = await freshForge();
  return {
    forge,
    repo: acme,
    workflowFile: WORKFLOW,
    inputsFor: (marker) => ({ job_id: marker, phase: 'implementation', issue_identifier: 'ENG-1' }),
    pushBranch: (branch, files) => pushBranch(forge, branch, files),
    cleanup,
  };
});

describe('local forge specifics', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    while (cleanups.length > 0) await cleanups.pop()?.();
  });
  const subject = async () => {
    const s = await freshForge();
    cleanups.push(s.cleanup);
    return s;
  };

  it('keeps a pull request as a branch plus a record, and a refs/pull ref pointing at the head', async () => {
    const { forge } = await subject();
    await pushBranch(forge, 'ai/ENG-7', { 'a.txt': 'hello\n' });
    const pr = (
      await forge.openPullRequest(acme, { branch: 'ai/ENG-7', base: 'main', title: 'ENG-7', body: 'b' })
    )._unsafeUnwrap();
    expect(pr.url).toBe(`http://127.0.0.1/local-forge/acme/app/pull/${pr.number}`);
    const head = gitSync(['--git-dir', forge.cloneUrl(acme), 'rev-parse', 'refs/heads/ai/ENG-7']).trim();
    expect(gitSync(['--git-dir', forge.cloneUrl(acme), 'rev-parse', `refs/pull/${pr.number}/head`]).trim()).toBe(head);
    expect((await forge.listPullRequests(acme))._unsafeUnwrap()).toEqual([pr]);
  });

  it('refuses a pull request for a branch that was never pushed, as HTTP 422', async () => {
    const { forge } = await subject();
    const result = await forge.openPullRequest(acme, { branch: 'ai/nothing', base: 'main', title: 't', body: '' });
    expect(result._unsafeUnwrapErr()).toMatchObject({ kind: 'invalid', status: 422 });
  });

  it('gives concurrent pull requests of different branches distinct numbers', async () => {
    const { forge } = await subject();
    const branches = ['ai/a', 'ai/b', 'ai/c', 'ai/d'];
    for (const b of branches) await pushBranch(forge, b, { [`${b}.txt`]: b });
    const prs = await Promise.all(
      branches.map((branch) => forge.openPullRequest(acme, { branch, base: 'main', title: branch, body: '' })),
    );
    const numbers = prs.map((r) => r._unsafeUnwrap().number);
    expect(new Set(numbers).size).toBe(branches.length);
  });

  it('shares its records between two processes-worth of adapters on one root', async () => {
    const { forge, root } = await subject();
    await pushBranch(forge, 'ai/shared', { 's.txt': 's' });
    const other = createLocalForge({ root });
    cleanups.push(() => other.close());
    const opened = (
      await other.openPullRequest(acme, { branch: 'ai/shared', base: 'main', title: 's', body: '' })
    )._unsafeUnwrap();
    const again = (
      await forge.openPullRequest(acme, { branch: 'ai/shared', base: 'main', title: 's', body: '' })
    )._unsafeUnwrap();
    expect(again.number).toBe(opened.number);
  });

  it('never keeps dispatch inputs, which carry the run tokens', async () => {
    const { forge, root } = await subject();
    (await forge.dispatchWorkflow(acme, WORKFLOW, 'main', { job_id: 'j1', result_token: 'secret-result-token' }))._unsafeUnwrap();
    const run = (await forge.findRun(acme, WORKFLOW, 'j1'))._unsafeUnwrap();
    expect(run?.name).toContain('[j1]');
    const dir = join(root, '.forge-records');
    const files = (await readdir(dir, { recursive: true, withFileTypes: true })).filter((f) => f.isFile());
    expect(files.length).toBeGreaterThan(0);
    const texts = await Promise.all(files.map((f) => readFile(join(f.parentPath, f.name), 'utf8')));
    expect(texts.join('\n')).toContain('[j1]');
    expect(texts.join('\n')).not.toContain('secret-result-token');
  });

  it('refuses owner or repo names that would leave the root', async () => {
    const { forge } = await subject();
    expect((await forge.getFile({ owner: '..', repo: 'x' }, 'README.md', 'main'))._unsafeUnwrapErr().kind).toBe('notFound');
    expect((await forge.createRepository({ owner: 'a/b', repo: 'x' }, 'main', {}))._unsafeUnwrapErr().kind).toBe('invalid');
  });
});
