import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { git } from '../../../adapters/forge/local/git-cli.js';

let root = '';
afterEach(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

describe("the local forge's git", () => {
  it('runs no fsmonitor or hook of the repository’s config (issue 13)', async () => {
    root = await mkdtemp(join(tmpdir(), 'ai-implement-git-cli-'));
    const repo = join(root, 'repo');
    const marker = join(root, 'ran');
    execFileSync('git', ['init', '--quiet', repo]);
    const script = join(root, 'program.sh');
    await writeFile(script, `#!/bin/sh\ntouch "${marker}"\nexit 0\n`);
    await chmod(script, 0o755);
    await writeFile(join(repo, 'file.txt'), 'x\n');
    for (const [key, value] of [
      ['core.fsmonitor', script],
      ['core.hooksPath', root],
    ])
      execFileSync('git', ['config', key!, value!], { cwd: repo });
    await writeFile(join(root, 'pre-commit'), `#!/bin/sh\ntouch "${marker}"\n`);
    await chmod(join(root, 'pre-commit'), 0o755);

    expect((await git(['status', '--porcelain'], { cwd: repo })).exitCode).toBe(0);
    expect((await git(['add', 'file.txt'], { cwd: repo })).exitCode).toBe(0);
    const committed = await git(['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '--quiet', '-m', 'x'], { cwd: repo });
    expect(committed.exitCode).toBe(0);
    expect(existsSync(marker)).toBe(false);
    // The same config does run them for a plain git: the test can fail.
    execFileSync('git', ['status', '--porcelain'], { cwd: repo });
    expect(existsSync(marker)).toBe(true);
  });
});
