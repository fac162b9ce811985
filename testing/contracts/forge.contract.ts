import { describe, expect, it } from 'vitest';
import type { ServiceError } from '../../ports/errors.js';
import type { Forge, RepoRef } from '../../ports/forge.port.js';

/** One forge under test, fresh for every test. */
export interface ForgeSubject {
  forge: Forge;
  /** An existing repository whose default branch is `main` and holds `workflowFile`. */
  repo: RepoRef;
  /** A workflow on `main` that accepts `inputsFor(marker)` and names its run after the marker. */
  workflowFile: string;
  /** Inputs the workflow accepts, carrying `marker` as the job id. */
  inputsFor(marker: string): Record<string, string>;
  /** Creates `branch` off `main` with one commit that writes `files`, ready for a pull request. */
  pushBranch(branch: string, files: Record<string, string>): Promise<void>;
  /** False for a forge that can only hand out its own credential (token/PAT mode): it refuses `notConfigured`. */
  mintsRepoTokens?: false;
  cleanup?: () => Promise<void>;
}

let counter = 0;
const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}${(counter++).toString(36)}`;

/** Runs appear a little after a dispatch on a real forge; poll briefly instead of sleeping. */
async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 5000): Promise<T | undefined> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined || Date.now() > until) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
}

function errorKind<T>(result: { isErr(): boolean; error?: ServiceError; value?: T }): string {
  return result.isErr() ? (result.error as ServiceError).kind : 'ok';
}

/** The Forge port's contract (ports/forge.port.ts), run against every adapter. */
export function forgeContract(name: string, make: () => Promise<ForgeSubject>): void {
  const withSubject = (body: (s: ForgeSubject) => Promise<void>) => async () => {
    const subject = await make();
    try {
      await body(subject);
    } finally {
      await subject.cleanup?.();
    }
  };

  describe(`${name} satisfies Forge`, () => {
    it(
      'tells a session where to get a repository: a URL to clone, or an API base to ask a token for',
      withSubject(async ({ forge, repo }) => {
        const source = forge.checkoutSource(repo);
        const where = 'repoUrl' in source ? source.repoUrl : source.apiUrl;
        expect(where).toMatch(/\S/);
        if ('apiUrl' in source) expect(() => new URL(source.apiUrl)).not.toThrow();
        // Each repository has its own clone URL; an API base is the same for all.
        const other = forge.checkoutSource({ owner: repo.owner, repo: `${repo.repo}-other` });
        if ('repoUrl' in source) expect(other).not.toEqual(source);
        else expect(other).toEqual(source);
      }),
    );

    it(
      'accepts a dispatch of the workflow on the default branch without waiting for the run',
      withSubject(async ({ forge, repo, workflowFile, inputsFor }) => {
        const result = await forge.dispatchWorkflow(repo, workflowFile, 'main', inputsFor(unique('job')));
        expect(result.isOk(), JSON.stringify(result)).toBe(true);
      }),
    );

    it(
      'finds the run of a dispatch by the marker in its name, and no run for a marker never dispatched',
      withSubject(async ({ forge, repo, workflowFile, inputsFor }) => {
        const marker = unique('job');
        expect((await forge.dispatchWorkflow(repo, workflowFile, 'main', inputsFor(marker))).isOk()).toBe(true);
        const run = await eventually(async () => (await forge.findRun(repo, workflowFile, marker))._unsafeUnwrap());
        expect(run).toBeDefined();
        expect(run?.name).toContain(marker);
        expect(['queued', 'in_progress', 'completed']).toContain(run?.status);
        expect(run?.id).not.toBe('');

        const none = await forge.findRun(repo, workflowFile, unique('never-dispatched'));
        expect(none._unsafeUnwrap()).toBeUndefined();
      }),
    );

    it(
      'opens one pull request for a branch; opening it again returns the same one',
      withSubject(async ({ forge, repo, pushBranch }) => {
        const branch = unique('ai/ENG');
        await pushBranch(branch, { 'notes/change.md': `change on ${branch}\n` });
        const first = (
          await forge.openPullRequest(repo, { branch, base: 'main', title: 'ENG-1: a change', body: 'Closes ENG-1' })
        )._unsafeUnwrap();
        expect(first).toMatchObject({
          owner: repo.owner,
          repo: repo.repo,
          branch,
          baseBranch: 'main',
          title: 'ENG-1: a change',
          state: 'open',
        });
        expect(first.number).toBeGreaterThan(0);
        expect(first.url).not.toBe('');

        const again = (
          await forge.openPullRequest(repo, { branch, base: 'main', title: 'ENG-1: retried', body: '' })
        )._unsafeUnwrap();
        expect(again.number).toBe(first.number);
        expect(again.url).toBe(first.url);
      }),
    );

    it(
      'lists the repository’s open pull requests, when it can list them',
      withSubject(async ({ forge, repo, pushBranch }) => {
        if (!forge.listOpenPullRequests) return;
        const branch = unique('ai/ENG');
        await pushBranch(branch, { 'notes/listed.md': `listed on ${branch}\n` });
        const opened = (
          await forge.openPullRequest(repo, { branch, base: 'main', title: 'ENG-2: listed', body: '' })
        )._unsafeUnwrap();
        const open = (await forge.listOpenPullRequests(repo))._unsafeUnwrap();
        expect(open.find((p) => p.number === opened.number)).toMatchObject({ branch, state: 'open', url: opened.url });
        expect(open.every((p) => p.state === 'open')).toBe(true);
      }),
    );

    it(
      'writes a file with putFile and reads it back; re-putting the same text is a no-op',
      withSubject(async ({ forge, repo }) => {
        const path = `.ai-implement/${unique('probe')}.txt`;
        expect((await forge.getFile(repo, path, 'main'))._unsafeUnwrap()).toBeUndefined();

        expect((await forge.putFile(repo, path, 'first ✓\n', 'add probe', 'main')).isOk()).toBe(true);
        expect((await forge.getFile(repo, path, 'main'))._unsafeUnwrap()).toBe('first ✓\n');

        expect((await forge.putFile(repo, path, 'first ✓\n', 'add probe again', 'main')).isOk()).toBe(true);
        expect((await forge.getFile(repo, path, 'main'))._unsafeUnwrap()).toBe('first ✓\n');

        expect((await forge.putFile(repo, path, 'second\n', 'update probe', 'main')).isOk()).toBe(true);
        expect((await forge.getFile(repo, path, 'main'))._unsafeUnwrap()).toBe('second\n');
      }),
    );

    it(
      'mints a token for one repository that has not expired',
      withSubject(async ({ forge, repo, mintsRepoTokens }) => {
        for (const access of ['read', 'write'] as const) {
          const result = await forge.mintRepoToken(repo, access);
          if (mintsRepoTokens === false) {
            expect(errorKind(result)).toBe('notConfigured');
            continue;
          }
          const minted = result._unsafeUnwrap();
          expect(minted.token.length).toBeGreaterThan(0);
          expect(minted.expiresAt).toBeGreaterThan(Date.now());
          expect((await forge.revokeRepoToken(minted.token)).isOk()).toBe(true);
        }
      }),
    );

    it(
      'answers notFound for a workflow that does not exist',
      withSubject(async ({ forge, repo, inputsFor }) => {
        const result = await forge.dispatchWorkflow(repo, 'no-such-workflow.yml', 'main', inputsFor(unique('job')));
        expect(errorKind(result)).toBe('notFound');
      }),
    );

    it(
      'answers notFound for every operation on a repository that does not exist',
      withSubject(async ({ forge, repo, workflowFile, inputsFor, mintsRepoTokens }) => {
        const missing = { owner: repo.owner, repo: unique('no-such-repo') };
        expect(errorKind(await forge.dispatchWorkflow(missing, workflowFile, 'main', inputsFor(unique('job'))))).toBe('notFound');
        expect(errorKind(await forge.findRun(missing, workflowFile, 'job'))).toBe('notFound');
        expect(errorKind(await forge.openPullRequest(missing, { branch: 'ai/x', base: 'main', title: 't', body: '' }))).toBe(
          'notFound',
        );
        expect(errorKind(await forge.getFile(missing, 'README.md', 'main'))).toBe('notFound');
        expect(errorKind(await forge.putFile(missing, 'README.md', 'x', 'm', 'main'))).toBe('notFound');
        expect(errorKind(await forge.mintRepoToken(missing, 'write'))).toBe(
          mintsRepoTokens === false ? 'notConfigured' : 'notFound',
        );
      }),
    );
  });
}
