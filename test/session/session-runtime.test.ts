import { execFileSync } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { errAsync } from 'neverthrow';
import { afterEach, describe, expect, it } from 'vitest';
import { sessionForge } from '../../hosts/session/session-forge.js';
import { customDir, stepSource } from '../plugins/custom-dir.js';
import type { FakeCallbackOptions } from './fake-callback-server.js';
import { type SessionFixture, sessionFixture } from './session-fixture.js';

const fixtures: SessionFixture[] = [];
afterEach(async () => {
  while (fixtures.length > 0) await fixtures.pop()?.cleanup();
});
async function fixture(options: FakeCallbackOptions = {}) {
  const f = await sessionFixture(options);
  fixtures.push(f);
  return f;
}
const results = (f: SessionFixture) => f.server.to('/runner/result');
const resultBody = (f: SessionFixture) => {
  const accepted = results(f).filter((c) => c.status === 200);
  expect(accepted).toHaveLength(1);
  return accepted[0]?.body as Record<string, unknown>;
};
const gitShow = (f: SessionFixture, spec: string) =>
  execFileSync('git', ['--git-dir', f.forge.cloneUrl({ owner: 'acme', repo: 'app' }), 'show', spec], { encoding: 'utf8' });

describe('an implementation run', () => {
  it('clones, installs, implements, verifies, pushes, opens the PR, and reports exactly one result', async () => {
    const f = await fixture();
    const outcome = await f.run();
    expect(outcome).toMatchObject({ outcome: 'success', timedOut: false, delivered: true });

    expect(f.server.events()).toEqual([
      'session_created',
      'environment_ready',
      'verification_started',
      'verification_passed',
      'pr_opened',
      'session_cleaned_up',
    ]);
    const body = resultBody(f);
    expect(results(f)).toHaveLength(1);
    expect(body).toMatchObject({ phase: 'implementation', outcome: 'success', prNumber: 1, reviewApproved: true });
    expect(body.prUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/local-forge\/acme\/app\/pull\/1$/);
    expect(body.error).toBeUndefined();
    expect((body.comments as { body: string }[]).map((c) => c.body.split('\n')[0])).toEqual(["🤖 Claude's summary"]);

    // The PR's branch holds the agent's change; main does not.
    expect(gitShow(f, 'ai-implement/ENG-1:AGENT_CHANGE.md')).toContain('Implement ENG-1: Add a change file');
    expect(() => gitShow(f, 'main:AGENT_CHANGE.md')).toThrow();
    expect((await f.forge.listPullRequests({ owner: 'acme', repo: 'app' }))._unsafeUnwrap()).toMatchObject([
      { number: 1, branch: 'ai-implement/ENG-1', baseBranch: 'main', title: 'ENG-1: Add a change file', state: 'open' },
    ]);

    // Every step reported running then its outcome, on both channels, with the right credentials
    // (between them, reports of the agent's usage alone: session-usage.test.ts).
    const progress = f.server.to('/runner/progress').filter((c) => (c.body as { step?: unknown }).step !== undefined);
    expect(
      progress.map(
        (c) => `${(c.body as { step: { id: string } }).step.id}:${(c.body as { step: { status: string } }).step.status}`,
      ),
    ).toEqual(
      ['clone', 'setup', 'implement', 'verify', 'commit-push', 'open-pr', 'post-push-review', 'report'].flatMap((s) => [
        `${s}:running`,
        `${s}:succeeded`,
      ]),
    );
    expect(
      f.server.to('/runner/progress').every((c) => c.authorization === 'Bearer progress-token-abcdef' && c.status === 200),
    ).toBe(true);
    expect(f.server.to('/api/step-report')).toHaveLength(progress.length);
    expect(f.server.to('/api/step-report').every((c) => c.status === 200)).toBe(true);
    expect(results(f)[0]?.authorization).toBe('Bearer result-token-abcdef');

    // The workspace is gone.
    expect(await readdir(f.workspaceRoot)).toEqual([]);
  });

  it('gives the agent only its own environment and the model from WORKFLOW.md', async () => {
    const f = await fixture();
    await f.run();
    const calls = await f.agentCalls();
    expect(calls.map((c) => c.kind)).toEqual(['implement', 'review']);
    for (const call of calls) {
      expect(call.env).toEqual(['FAKE_AGENT_LOG', 'HOME', 'PATH']);
      const values = JSON.stringify(call.envValues);
      for (const secret of ['result-token-abcdef', 'progress-token-abcdef', 'nonce-abcdef123456'])
        expect(values).not.toContain(secret);
      expect(call.argv.slice(call.argv.indexOf('--model'), call.argv.indexOf('--model') + 2)).toEqual([
        '--model',
        'claude-impl-test',
      ]);
      expect(call.argv).toContain('--max-turns');
    }
    // The repository's WORKFLOW.md body is the prompt template.
    expect(calls[0]?.argv[calls[0].argv.indexOf('-p') + 1]).toMatch(
      /^Implement ENG-1: Add a change file\n\nWrite AGENT_CHANGE.md./,
    );
  });

  it('fails with the spec message when the agent changes nothing', async () => {
    const f = await fixture();
    const outcome = await f.run({ mode: 'noop', env: {} });
    expect(outcome).toMatchObject({
      outcome: 'failure',
      reason: 'Nothing to commit: Claude left no file changes in the working tree',
    });
    const body = resultBody(f);
    expect(body).toMatchObject({
      outcome: 'failure',
      error: 'Nothing to commit: Claude left no file changes in the working tree',
    });
    expect(body.prUrl).toBeUndefined();
    expect(body.log).toContain('step implement failed');
    expect(f.server.events()).toEqual(['session_created', 'environment_ready', 'session_failed', 'session_cleaned_up']);
    const failed = f.server.to('/api/status').find((c) => (c.body as { event: string }).event === 'session_failed');
    expect((failed?.body as { reason?: string } | undefined)?.reason).toBe(
      'Nothing to commit: Claude left no file changes in the working tree',
    );
  });

  it('stops the agent past maxTurns and fails with "LLM invocation failed with exit code 1: Reached max turns (N)"', async () => {
    const f = await fixture();
    const outcome = await f.run({ mode: 'loop', caps: { maxTurns: 3 } });
    const reason = 'LLM invocation failed with exit code 1: Reached max turns (3)';
    expect(outcome.reason).toBe(reason);
    expect(resultBody(f)).toMatchObject({ outcome: 'failure', error: reason });
    expect(f.server.events().slice(-2)).toEqual(['session_failed', 'session_cleaned_up']);
    const failed = f.server.to('/runner/progress').find((c) => (c.body as { step: { status: string } }).step.status === 'failed');
    expect((failed?.body as { step?: unknown } | undefined)?.step).toMatchObject({
      id: 'implement',
      output: { error: reason },
    });
  });

  it('reports a failing agent as "LLM invocation failed with exit code N: …"', async () => {
    const f = await fixture();
    const outcome = await f.run({ mode: 'crash' });
    expect(outcome.reason).toMatch(/^LLM invocation failed with exit code 1: .*overloaded_error/);
  });

  it('gives a verification failure back to the agent, within maxIterations', async () => {
    const f = await fixture();
    const outcome = await f.run({ mode: 'break', caps: { maxIterations: 2 } });
    expect(outcome.outcome).toBe('success');
    expect(f.server.events()).toEqual([
      'session_created',
      'environment_ready',
      'verification_started',
      'verification_failed',
      'verification_started',
      'verification_passed',
      'pr_opened',
      'session_cleaned_up',
    ]);
    const failed = f.server.to('/api/status').find((c) => (c.body as { event: string }).event === 'verification_failed');
    expect((failed?.body as { detail?: string } | undefined)?.detail).toBe(
      'npm run verify exited with 2: AGENT_CHANGE.md is BROKEN',
    );
    expect((await f.agentCalls()).map((c) => c.kind)).toEqual(['implement', 'fix', 'review']);
    expect(gitShow(f, 'ai-implement/ENG-1:AGENT_CHANGE.md')).toMatch(/^fixed/);
  });

  it('fails when verification still fails after maxIterations, and pushes nothing', async () => {
    const f = await fixture();
    const outcome = await f.run({ mode: 'always-break', caps: { maxIterations: 2 } });
    expect(outcome.reason).toMatch(/^Verification failed after 2 of 2 iterations \(exit 2\): .*AGENT_CHANGE.md is BROKEN/s);
    expect(f.server.events().filter((e) => e.startsWith('verification'))).toEqual([
      'verification_started',
      'verification_failed',
      'verification_started',
      'verification_failed',
    ]);
    expect(() => gitShow(f, 'ai-implement/ENG-1:AGENT_CHANGE.md')).toThrow();
  });

  it('kills the run past maxJobMinutes and still reports, as a timeout', async () => {
    const f = await fixture();
    const started = Date.now();
    // A "minute" of 1 s: the budget is 1 s, the watchdog fires 10% before it.
    const outcome = await f.run({ mode: 'hang', caps: { maxJobMinutes: 1 }, minuteMs: 1000 });
    expect(Date.now() - started).toBeLessThan(8000);
    expect(outcome).toMatchObject({ outcome: 'failure', timedOut: true, delivered: true });
    expect(outcome.reason).toBe('Session exceeded maxJobMinutes (1 min) and was stopped');
    expect(f.server.events().slice(-2)).toEqual(['session_timed_out', 'session_cleaned_up']);
    expect(resultBody(f)).toMatchObject({ outcome: 'failure', error: 'Session exceeded maxJobMinutes (1 min) and was stopped' });
  });

  it('reports "git clone failed (exit N): …" for a repository it cannot clone', async () => {
    const f = await fixture();
    const outcome = await f.run({ repoUrl: `${f.root}/repos/acme/missing.git` });
    expect(outcome.reason).toMatch(/^git clone failed \(exit 128\): .*missing\.git/s);
  });

  it('reports "PR creation failed with HTTP N: …" when the forge refuses the pull request', async () => {
    const f = await fixture();
    const outcome = await f.run({
      forge: async (config) => {
        const made = await sessionForge(config, undefined as never);
        if ('error' in made) return made;
        return {
          ...made,
          forge: {
            ...made.forge,
            openPullRequest: () => errAsync({ kind: 'invalid', status: 422, message: 'A pull request already exists' }),
          },
        };
      },
    });
    expect(outcome.reason).toBe('PR creation failed with HTTP 422: A pull request already exists');
  });

  it('stops when an operator aborts through a progress answer', async () => {
    const f = await fixture({
      instructionsAt: {
        1: [{ type: 'message', id: 'm1', message: 'use tabs', at: 1 }],
        7: [{ type: 'abort', reason: 'wrong issue', at: 2 }],
      },
    });
    const outcome = await f.run();
    expect(outcome.reason).toBe('Session aborted by the operator: wrong issue');
    expect(resultBody(f)).toMatchObject({ outcome: 'failure' });
    expect(gitShow.bind(null, f, 'ai-implement/ENG-1:AGENT_CHANGE.md')).toThrow();
    const prompt = (await f.agentCalls())[0]?.argv.join(' ');
    expect(prompt).toContain('## Messages from the operator\n\nuse tabs');
  });

  it('retries a result the orchestrator could not take, and lands exactly one', async () => {
    const f = await fixture({ resultFailures: 2 });
    const outcome = await f.run({ mode: 'noop' });
    expect(outcome.delivered).toBe(true);
    expect(results(f).map((c) => c.status)).toEqual([500, 500, 200]);
  });

  it('marks the result not approved when the post-push review flags blockers', async () => {
    const f = await fixture();
    const outcome = await f.run({ mode: 'reject' });
    expect(outcome.outcome).toBe('success');
    const body = resultBody(f);
    expect(body).toMatchObject({ outcome: 'success', reviewApproved: false, prNumber: 1 });
    expect((body.comments as { body: string }[])[0]?.body).toMatch(/^🔎 Post-push review flagged blockers/);
  });

  it('fails with the token error when /api/token refuses (GitHub forge)', async () => {
    const f = await fixture({ token: { status: 403, body: { error: 'Owner mismatch' } } });
    const outcome = await f.run({ forge: (config) => sessionForge({ ...config, forge: 'github' }, makeClient(f)) });
    expect(outcome.reason).toBe(
      'Could not get a repository token: could not get a repository token from /api/token: HTTP 403 Owner mismatch',
    );
    expect(results(f)).toHaveLength(1);
  });
});

describe('custom steps in a run', () => {
  it('runs a custom step that overrides a built-in by name', async () => {
    const f = await fixture();
    const d = await customDir();
    try {
      await d.write(
        'steps/verify.step.ts',
        stepSource('verify', {
          needs: ['status'],
          body: "await services.status({ type: 'verification_started' });\n    return { status: 'failed', message: `custom verify ran at level ${settings.level}` };",
        }),
      );
      const outcome = await f.run({ customDir: d.path });
      expect(outcome.reason).toBe('custom verify ran at level 1');
      expect(f.server.events()).toContain('verification_started');
    } finally {
      await d.remove();
    }
  });

  it("gives a step the service another step provides, built once per run from the run's container", async () => {
    const f = await fixture();
    const d = await customDir({
      // The provider is in no pipeline: what a loaded step provides is in every run's container.
      'steps/counter.step.ts': stepSource('counter', {
        provides:
          '(() => { let builds = 0; return { tally: ({ clock }) => ({ builtAt: clock.now(), count: 0, builds: ++builds }) }; })()',
      }),
      'steps/bump.step.ts': stepSource('bump', {
        needs: ['tally', 'status'],
        body: "services.tally.count += settings.level;\n    return { status: 'succeeded' };",
      }),
      'steps/tell.step.ts': stepSource('tell', {
        needs: ['tally'],
        body: "const t = services.tally;\n    return { status: 'failed', message: ['count', t.count, 'built', t.builds, typeof t.builtAt].join(' ') };",
      }),
      'pipelines/implementation.yml':
        'phase: implementation\nsteps:\n  - { id: one, module: bump, settings: { level: 2 } }\n  - { id: two, module: bump, settings: { level: 3 } }\n  - { id: tell, module: tell }\n',
    });
    try {
      const outcome = await f.run({ customDir: d.path });
      expect(outcome.reason).toBe('count 5 built 1 number');
    } finally {
      await d.remove();
    }
  });

  it('fails the step, not the session, when a provider throws', async () => {
    const f = await fixture();
    const d = await customDir({
      'steps/broken.step.ts': stepSource('broken', { provides: "{ vault: () => { throw new Error('vault sealed'); } }" }),
      'steps/read.step.ts': stepSource('read', { needs: ['vault'] }),
      'pipelines/implementation.yml': 'phase: implementation\nsteps:\n  - { id: read, module: read }\n',
    });
    try {
      const outcome = await f.run({ customDir: d.path });
      expect(outcome.reason).toMatch(
        /^the step failed unexpectedly: service "vault" of step module broken failed to build: vault sealed \(step "read", custom\/steps\/read\.step\.ts\)$/,
      );
      expect(results(f)).toHaveLength(1);
    } finally {
      await d.remove();
    }
  });

  it.each([
    [
      'throws',
      "throw new Error('lint exploded');",
      /^the step failed unexpectedly: lint exploded \(step "tidy", custom\/steps\/lint\.step\.ts\)$/,
    ],
    [
      'answers no outcome',
      'void settings;',
      /^the step returned nothing, not \{ status: 'succeeded' \| 'skipped' \| 'failed' \} \(step "tidy", custom\/steps\/lint\.step\.ts\)$/,
    ],
    [
      'answers a status of its own',
      "return { status: 'ok' };",
      /^the step returned \{"status":"ok"\}, not .* \(step "tidy", custom\/steps\/lint\.step\.ts\)$/,
    ],
    [
      'fails without a message',
      "return { status: 'failed' };",
      /^the step failed without a message \(step "tidy", custom\/steps\/lint\.step\.ts\)$/,
    ],
  ])('a custom step that %s fails the run naming the step and its file, with exactly one result', async (_what, body, reason) => {
    const f = await fixture();
    const d = await customDir({
      'steps/lint.step.ts': stepSource('lint', { body }),
      'pipelines/implementation.yml':
        'phase: implementation\nsteps:\n  - { id: tidy, module: lint }\n  - { id: after, module: report }\n',
    });
    try {
      const outcome = await f.run({ customDir: d.path });
      expect(outcome).toMatchObject({ outcome: 'failure', delivered: true });
      expect(outcome.reason).toMatch(reason);
      expect(resultBody(f)).toMatchObject({ outcome: 'failure', error: outcome.reason });
      const steps = f.server.to('/runner/progress').map((c) => (c.body as { step?: { id: string; status: string } }).step);
      expect(steps.filter(Boolean).map((s) => `${s?.id}:${s?.status}`)).toEqual(['tidy:running', 'tidy:failed', 'after:skipped']);
    } finally {
      await d.remove();
    }
  });

  it('a custom step that never settles and ignores the stop is left behind at maxJobMinutes; the run still reports', async () => {
    const f = await fixture();
    const d = await customDir({
      'steps/lint.step.ts': stepSource('lint', { body: 'await new Promise(() => {});' }),
      'pipelines/implementation.yml': 'phase: implementation\nsteps:\n  - { id: tidy, module: lint }\n',
    });
    try {
      const started = Date.now();
      const outcome = await f.run({ customDir: d.path, caps: { maxJobMinutes: 1 }, minuteMs: 1000, stopGraceMs: 200 });
      expect(Date.now() - started).toBeLessThan(8000);
      expect(outcome).toMatchObject({ outcome: 'failure', timedOut: true, delivered: true });
      expect(outcome.reason).toBe('Session exceeded maxJobMinutes (1 min) and was stopped');
      const failed = f.server
        .to('/runner/progress')
        .map((c) => (c.body as { step?: { id: string; status: string; output?: { error?: string } } }).step)
        .find((s) => s?.status === 'failed');
      expect(failed?.output?.error).toBe('the step did not stop in time (step "tidy", custom/steps/lint.step.ts)');
      expect(results(f)).toHaveLength(1);
    } finally {
      await d.remove();
    }
  });

  it('reports a broken custom file as the run failure, still with exactly one result', async () => {
    const f = await fixture();
    const d = await customDir({
      'pipelines/implementation.yml': 'phase: implementation\nsteps:\n  - { id: a, module: missing }\n',
    });
    try {
      const outcome = await f.run({ customDir: d.path });
      expect(outcome.reason).toContain('custom/pipelines/implementation.yml: step "a" uses module "missing"');
      expect(results(f)).toHaveLength(1);
    } finally {
      await d.remove();
    }
  });
});

describe('a planning run', () => {
  it('writes a plan with the PLANNING.md model and reports it; pushes nothing', async () => {
    const f = await fixture();
    const outcome = await f.run({ phase: 'planning' });
    expect(outcome.outcome).toBe('success');
    const body = resultBody(f);
    expect(body).toMatchObject({ phase: 'planning', outcome: 'success' });
    expect(body.plan).toMatch(/^1\. Add AGENT_CHANGE\.md/);
    expect((body.comments as { body: string }[])[0]?.body).toMatch(/^📋 Implementation plan for ENG-1\n\n1\. Add/);
    expect(f.server.events()).toEqual(['session_created', 'session_cleaned_up']);
    const [call] = await f.agentCalls();
    expect(call?.kind).toBe('plan');
    expect(call?.argv).toContain('claude-plan-test');
    expect(
      execFileSync(
        'git',
        [
          '--git-dir',
          f.forge.cloneUrl({ owner: 'acme', repo: 'app' }),
          'for-each-ref',
          '--format=%(refname:short)',
          'refs/heads',
        ],
        {
          encoding: 'utf8',
        },
      ).trim(),
    ).toBe('main');
  });
});

function makeClient(f: SessionFixture) {
  // The fixture's own client is internal to run(); the token call needs one with the nonce.
  return {
    repoToken: async (owner: string) => {
      const res = await fetch(`${f.server.url}/api/token`, {
        method: 'POST',
        body: JSON.stringify({ nonce: 'nonce-abcdef123456', owner }),
      });
      const body = (await res.json()) as { token?: string; error?: string };
      return res.status === 200 && body.token ? { ok: { token: body.token } } : { error: `HTTP ${res.status} ${body.error}` };
    },
  } as never;
}
