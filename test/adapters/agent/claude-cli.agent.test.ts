import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseCommandTemplate, renderCommand } from '../../../adapters/agent/agent-command.js';
import { createCliAgent } from '../../../adapters/agent/claude-cli.agent.js';
import { createBwrapSandbox } from '../../../adapters/sandbox/bwrap.sandbox.js';
import type { AgentInvocation } from '../../../ports/agent.port.js';

const FAKE = resolve('test/fakes/agent/fake-agent.mjs');
/** Claude's own argv shape, with the fake in place of `claude`. */
const FAKE_COMMAND = [
  process.execPath,
  FAKE,
  '-p',
  '{prompt}',
  '--model',
  '{model}',
  '--max-turns',
  '{maxTurns}',
  '--output-format',
  'stream-json',
];

/** The real sandbox, showing the fake agent's directory read-only. */
const sandbox = createBwrapSandbox({ readOnly: [dirname(FAKE)] });

const dirs: string[] = [];
afterEach(async () => {
  while (dirs.length > 0) await rm(dirs.pop()!, { recursive: true, force: true });
});
async function workspace() {
  const dir = await mkdtemp(join(tmpdir(), 'ai-implement-agent-'));
  dirs.push(dir);
  return dir;
}
const base = (cwd: string, env: Record<string, string>, extra: Partial<AgentInvocation> = {}): AgentInvocation => ({
  cwd,
  prompt: 'Implement ENG-1',
  maxTurns: 5,
  timeoutMs: 10_000,
  env: { PATH: process.env.PATH ?? '', HOME: cwd, ...env },
  ...extra,
});
/**
 * A live process whose command line holds `marker`, found from outside: inside the sandbox
 * the agent has PID numbers of its own namespace, so its `$!` means nothing here.
 */
const running = async (marker: string) => {
  for (const pid of await readdir('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const cmdline = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).replaceAll('\0', ' ');
      const status = await readFile(`/proc/${pid}/status`, 'utf8');
      if (cmdline.includes(marker) && !/^State:\s+Z/m.test(status)) return true;
    } catch {
      // Gone meanwhile.
    }
  }
  return false;
};

describe('the CLI agent', () => {
  it('runs the command with exactly the given environment, counts turns, returns the final result', async () => {
    const cwd = await workspace();
    const log = join(cwd, 'agent.log');
    const agent = createCliAgent({ command: FAKE_COMMAND, sandbox });
    const outcome = await agent.run(base(cwd, { FAKE_AGENT_TURNS: '3', FAKE_AGENT_LOG: log }, { model: 'claude-test-1' }));
    expect(outcome).toMatchObject({ kind: 'finished', turns: 3, output: 'Wrote AGENT_CHANGE.md.' });
    expect(await readFile(join(cwd, 'AGENT_CHANGE.md'), 'utf8')).toContain('Implement ENG-1');
    const call = JSON.parse((await readFile(log, 'utf8')).trim()) as { argv: string[]; env: string[] };
    expect(call.argv).toEqual([
      '-p',
      'Implement ENG-1',
      '--model',
      'claude-test-1',
      '--max-turns',
      '5',
      '--output-format',
      'stream-json',
    ]);
    // Node itself may add nothing the caller did not pass.
    expect(call.env.filter((k) => !['PATH', 'HOME', 'FAKE_AGENT_TURNS', 'FAKE_AGENT_LOG'].includes(k))).toEqual([]);
  });

  it('stops the agent as soon as it passes maxTurns, however long it would go on', async () => {
    const cwd = await workspace();
    const started = Date.now();
    const outcome = await createCliAgent({ command: FAKE_COMMAND, killGraceMs: 500, sandbox }).run(
      base(cwd, { FAKE_AGENT_MODE: 'loop' }, { maxTurns: 3 }),
    );
    expect(outcome.kind).toBe('maxTurns');
    expect(outcome.kind === 'maxTurns' && outcome.turns).toBeGreaterThan(3);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('kills the whole process group, so what the agent started dies with it', async () => {
    const cwd = await workspace();
    const marker = `30.${process.pid}${Date.now() % 1000}`;
    const script = `sleep ${marker} & while true; do echo '{"type":"assistant"}'; sleep 0.02; done`;
    const outcome = await createCliAgent({ command: ['sh', '-c', script], killGraceMs: 300, sandbox }).run(
      base(cwd, {}, { maxTurns: 2 }),
    );
    expect(outcome.kind).toBe('maxTurns');
    await new Promise((r) => setTimeout(r, 200));
    expect(await running(`sleep ${marker}`)).toBe(false);
  });

  it("takes the CLI's own stop at its turn limit as maxTurns", async () => {
    const cwd = await workspace();
    const script = `echo '{"type":"assistant"}'; echo '{"type":"result","subtype":"error_max_turns","is_error":true,"num_turns":1}'; exit 1`;
    const outcome = await createCliAgent({ command: ['sh', '-c', script], sandbox }).run(base(cwd, {}));
    expect(outcome).toMatchObject({ kind: 'maxTurns', turns: 1 });
  });

  it('reports a failing CLI with its exit code and the end of its error output', async () => {
    const cwd = await workspace();
    const outcome = await createCliAgent({ command: FAKE_COMMAND, sandbox }).run(base(cwd, { FAKE_AGENT_MODE: 'crash' }));
    expect(outcome).toMatchObject({ kind: 'failed', exitCode: 1 });
    expect(outcome.kind === 'failed' && outcome.output).toContain('overloaded_error');
  });

  it('kills an agent past timeoutMs', async () => {
    const cwd = await workspace();
    const started = Date.now();
    const outcome = await createCliAgent({ command: FAKE_COMMAND, killGraceMs: 300, sandbox }).run(
      base(cwd, { FAKE_AGENT_MODE: 'hang' }, { timeoutMs: 300 }),
    );
    expect(outcome.kind).toBe('timedOut');
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('kills an agent when the run aborts', async () => {
    const cwd = await workspace();
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const outcome = await createCliAgent({ command: FAKE_COMMAND, killGraceMs: 300, sandbox }).run(
      base(cwd, { FAKE_AGENT_MODE: 'hang' }, { signal: controller.signal }),
    );
    expect(outcome.kind).toBe('timedOut');
  });

  it('fails with 127 when the CLI is not installed', async () => {
    const cwd = await workspace();
    const outcome = await createCliAgent({ command: ['no-such-agent-cli-xyz', '{prompt}'], sandbox }).run(base(cwd, {}));
    expect(outcome).toMatchObject({ kind: 'failed', exitCode: 127 });
  });

  it('reads usage from stream-json: per assistant message while it runs, the result’s totals at the end', async () => {
    const cwd = await workspace();
    const seen: unknown[] = [];
    const agent = createCliAgent({ command: FAKE_COMMAND, sandbox });
    const outcome = await agent.run(
      base(
        cwd,
        { FAKE_AGENT_TURNS: '3', FAKE_AGENT_TOKENS_PER_TURN: '1000' },
        {
          model: 'claude-sonnet-4-5',
          onUsage: (u) => seen.push(u),
        },
      ),
    );
    // Each message streams as two lines repeating its usage: counted once, as one turn.
    expect(outcome).toMatchObject({ kind: 'finished', turns: 3 });
    const total = { inputTokens: 3000, outputTokens: 600, cacheReadTokens: 6000, cacheCreationTokens: 300 };
    const cost = (3000 * 3 + 600 * 15 + 6000 * 0.3 + 300 * 3.75) / 1e6;
    expect(outcome.usage).toMatchObject({ ...total, turns: 3, model: 'claude-sonnet-4-5' });
    expect(outcome.usage?.costUsd).toBeCloseTo(cost, 9);
    // Running totals only grow, and the last one is the result's.
    const inputs = seen.map((u) => (u as { inputTokens: number }).inputTokens);
    expect(inputs).toEqual([...inputs].sort((a, b) => a - b));
    expect(seen.at(-1)).toEqual(outcome.usage);
  });

  it('reports no usage for an agent that reported none (not zero)', async () => {
    const cwd = await workspace();
    const seen: unknown[] = [];
    const outcome = await createCliAgent({ command: FAKE_COMMAND, sandbox }).run(
      base(cwd, { FAKE_AGENT_USAGE: 'off' }, { onUsage: (u) => seen.push(u) }),
    );
    expect(outcome).toMatchObject({ kind: 'finished', turns: 2 });
    expect(outcome.usage).toBeUndefined();
    expect(seen).toEqual([]);
  });

  it('counts plain-text turns by a pattern for agents without JSON output', async () => {
    const cwd = await workspace();
    const script = 'for i in 1 2 3 4 5 6; do echo "> step $i"; done; echo done';
    const outcome = await createCliAgent({ command: ['sh', '-c', script], turnPattern: /^> step/, sandbox }).run(
      base(cwd, {}, { maxTurns: 10 }),
    );
    expect(outcome).toMatchObject({ kind: 'finished', turns: 6 });
    expect(outcome.kind === 'finished' && outcome.output).toContain('done');
  });
});

describe('the command template', () => {
  it("is Claude Code's by default, and drops --model when there is no model", () => {
    expect(
      renderCommand(['claude', '-p', '{prompt}', '--model', '{model}', '--max-turns', '{maxTurns}'], {
        prompt: 'do it',
        maxTurns: 7,
      }),
    ).toEqual(['claude', '-p', 'do it', '--max-turns', '7']);
  });

  it('reads a JSON array or whitespace-separated words', () => {
    expect(parseCommandTemplate('["my agent", "{prompt}"]')).toEqual(['my agent', '{prompt}']);
    expect(parseCommandTemplate('aider --message {prompt}')).toEqual(['aider', '--message', '{prompt}']);
    expect(parseCommandTemplate('  ')).toBeUndefined();
    expect(parseCommandTemplate('[1, 2]')).toBeUndefined();
  });
});
