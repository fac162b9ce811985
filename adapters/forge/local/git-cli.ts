import { spawn } from 'node:child_process';

export interface GitResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface GitOptions {
  cwd?: string;
  /** Written to git's stdin (for `hash-object --stdin`, `mktree`). */
  input?: string;
  env?: Record<string, string>;
}

/**
 * Settings that win over any repository config: no hooks, no fsmonitor, no `ext::` transport
 * (each runs a program of the repository's choice). The session's git calls carry them too
 * (`plugins/steps/shared/git.ts`).
 */
const NO_REPOSITORY_PROGRAMS = ['-c', 'core.hooksPath=/dev/null', '-c', 'core.fsmonitor=false', '-c', 'protocol.ext.allow=never'];

/**
 * Runs the real `git` CLI and resolves its exit code and output; it never rejects on a
 * non-zero exit (callers decide what a failure means). Prompts are off so a missing
 * credential fails at once instead of waiting on a terminal nobody watches.
 */
export function git(args: string[], options: GitOptions = {}): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', [...NO_REPOSITORY_PROGRAMS, ...args], {
      cwd: options.cwd,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: process.env.HOME ?? '/tmp',
        GIT_TERMINAL_PROMPT: '0',
        GIT_CONFIG_NOSYSTEM: '1',
        ...options.env,
      },
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const errOut: Buffer[] = [];
    child.stdout?.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => errOut.push(chunk));
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({
        exitCode: code ?? 1,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(errOut).toString('utf8'),
      }),
    );
    if (child.stdin) {
      // git may exit before reading all of its input; that is its answer, not a crash.
      child.stdin.on('error', () => undefined);
      child.stdin.end(options.input);
    }
  });
}

/** The identity of commits the forge itself writes (putFile). */
export const FORGE_IDENTITY: Record<string, string> = {
  GIT_AUTHOR_NAME: 'AI-Implement',
  GIT_AUTHOR_EMAIL: 'ai-implement@localhost',
  GIT_COMMITTER_NAME: 'AI-Implement',
  GIT_COMMITTER_EMAIL: 'ai-implement@localhost',
};
