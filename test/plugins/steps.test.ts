import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunContext } from '../../plugins/run-context.js';
import { detectInstall } from '../../plugins/steps/setup.step.js';
import { agentFailure } from '../../plugins/steps/shared/agent-outcome.js';
import { modelOf, readFrontMatter } from '../../plugins/steps/shared/front-matter.js';
import { renderPrompt } from '../../plugins/steps/shared/prompts.js';
import { readRepoFile } from '../../plugins/steps/shared/repo-file.js';
import { safeTail } from '../../plugins/steps/shared/text.js';

const dirs: string[] = [];
afterEach(async () => {
  while (dirs.length > 0) await rm(dirs.pop()!, { recursive: true, force: true });
});
async function repoWith(files: string[]) {
  const dir = await mkdtemp(join(tmpdir(), 'ai-implement-steps-'));
  dirs.push(dir);
  for (const f of files) await writeFile(join(dir, f), '{}');
  return dir;
}

const ctx = (over: Partial<RunContext> = {}): RunContext =>
  ({
    issue: { identifier: 'ENG-9', title: 'Fix login', description: 'It breaks on Safari.', url: 'http://t/ENG-9' },
    branch: 'ai-implement/ENG-9',
    steering: [],
    caps: { maxTurns: 50, maxIterations: 3, maxJobMinutes: 90 },
    secretValues: ['sk-secret-value'],
    signal: new AbortController().signal,
    ...over,
  }) as RunContext;

describe('setup: the package manager of the target repository', () => {
  it.each([
    [['package.json', 'pnpm-lock.yaml'], 'pnpm', ['pnpm', 'install', '--frozen-lockfile']],
    [['package.json', 'yarn.lock'], 'yarn', ['yarn', 'install', '--frozen-lockfile']],
    [['package.json', 'package-lock.json'], 'npm', ['npm', 'ci', '--no-audit', '--no-fund']],
    [['package.json'], 'npm', ['npm', 'install', '--no-audit', '--no-fund', '--no-package-lock']],
  ])('%j → %s', async (files, manager, argv) => {
    expect(await detectInstall(await repoWith(files))).toEqual({ manager, argv });
  });

  it('none without a package.json', async () => {
    expect(await detectInstall(await repoWith(['Cargo.toml']))).toBeUndefined();
  });

  it('never follows a link the agent made out of the tree: the answer says nothing of the host', async () => {
    // Followed, a dangling pnpm-lock.yaml and a yarn.lock -> /etc/passwd would answer "yarn":
    // which host files exist, told to the agent by the command its verify step runs.
    const dir = await repoWith(['package.json']);
    await symlink(join(dir, 'no-such-host-file'), join(dir, 'pnpm-lock.yaml'));
    await symlink('/etc/passwd', join(dir, 'yarn.lock'));
    expect((await detectInstall(dir))?.manager).toBe('pnpm');
  });
});

describe('files of the working tree the session reads itself (outside the sandbox)', () => {
  it('reads a regular file of the tree (through a link inside it too), and nothing outside the tree or that is no file', async () => {
    const dir = await repoWith([]);
    const secret = join(await repoWith([]), 'store.json');
    await writeFile(secret, 'host secret');
    await writeFile(join(dir, 'WORKFLOW.md'), 'the prompt');
    await symlink(secret, join(dir, 'LINKED.md'));
    await symlink('WORKFLOW.md', join(dir, 'RELATIVE.md'));
    await symlink(dirname(secret), join(dir, 'docs'));
    await mkdir(join(dir, 'sub'));
    execFileSync('mkfifo', [join(dir, 'sub', 'fifo')]);
    expect(await readRepoFile(dir, 'WORKFLOW.md')).toBe('the prompt');
    expect(await readRepoFile(dir, 'RELATIVE.md')).toBe('the prompt');
    for (const name of ['LINKED.md', 'docs/store.json', '../WORKFLOW.md', secret, 'sub/fifo', 'sub', 'missing'])
      expect({ name, text: await readRepoFile(dir, name) }).toEqual({ name, text: undefined });
  });
});

describe('WORKFLOW.md / PLANNING.md front matter', () => {
  it('names the model and leaves the body as the prompt template', () => {
    const { data, body } = readFrontMatter('---\nmodel: claude-sonnet-4-5\nmax_turns: 20\n---\nDo {{ issue.title }}\n');
    expect(modelOf(data)).toBe('claude-sonnet-4-5');
    expect(body).toBe('Do {{ issue.title }}\n');
  });

  it('a file without front matter is all body; broken YAML is ignored', () => {
    expect(readFrontMatter('Just a prompt')).toEqual({ data: {}, body: 'Just a prompt' });
    expect(modelOf(readFrontMatter('---\nmodel: [unclosed\n---\nx').data)).toBeUndefined();
  });
});

describe('prompts', () => {
  it("stops a repository's template that would hold the session's thread or memory (a loop of a billion)", () => {
    for (const bomb of [
      '{% for i in (1..1000000000) %}xxxxxxxxxx{% endfor %}',
      '{% for i in (1..5000) %}{% for j in (1..5000) %}{% endfor %}{% endfor %}',
    ]) {
      const began = Date.now();
      expect(() => renderPrompt(bomb, ctx())).toThrow(/limit/);
      expect(Date.now() - began).toBeLessThan(10_000);
    }
  });

  it('fills the issue and appends the plan, a failure to fix and operator messages it does not mention', () => {
    const text = renderPrompt(
      'Work on {{ issue.identifier }}: {{ issue.title }}\n{{ issue.description }}',
      ctx({ plan: 'Step 1', steering: ['use tabs'] }),
      {
        feedback: 'test failed',
      },
    );
    expect(text).toBe(
      'Work on ENG-9: Fix login\nIt breaks on Safari.\n\n## Implementation plan\n\nStep 1\n\n## Verification failed — fix this\n\ntest failed\n\n## Messages from the operator\n\nuse tabs',
    );
  });

  it('does not repeat what the template already places', () => {
    expect(renderPrompt('Plan: {{ plan }}', ctx({ plan: 'P' }))).toBe('Plan: P');
  });
});

describe('agent failures as the spec words them', () => {
  it('max turns, exit code, redacted output', () => {
    expect(agentFailure(ctx(), { kind: 'maxTurns', turns: 51, output: '' })).toMatchObject({
      status: 'failed',
      message: 'LLM invocation failed with exit code 1: Reached max turns (50)',
    });
    expect(agentFailure(ctx(), { kind: 'failed', exitCode: 1, output: 'auth failed with sk-secret-value' })).toEqual({
      status: 'failed',
      message: 'LLM invocation failed with exit code 1: auth failed with [REDACTED]',
    });
  });

  it('keeps the tail of long output, redacted before cutting', () => {
    const tail = safeTail(`${'x'.repeat(5000)}sk-secret-value`, ['sk-secret-value'], 20);
    expect(tail).toBe(`…${'x'.repeat(10)}[REDACTED]`);
  });
});
