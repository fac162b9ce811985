import { spawn } from 'node:child_process';
import type { Agent, AgentInvocation, AgentOutcome } from '../../ports/agent.port.js';
import type { Sandbox } from '../../ports/sandbox.port.js';
import { signalProcessGroup } from '../shared/process-group.js';
import { CLAUDE_COMMAND, renderCommand } from './agent-command.js';
import { createTurnCounter } from './stream-turns.js';

export interface CliAgentOptions {
  /** argv template (`agent-command.ts`); Claude Code's `claude -p … --output-format stream-json` by default. */
  command?: readonly string[];
  /** For agents without JSON output: a plain output line matching this counts as one turn. */
  turnPattern?: RegExp;
  /** SIGTERM first, SIGKILL this long after (2 s). */
  killGraceMs?: number;
  /** Where the agent runs: confined to its working directory (bubblewrap), unless `none`. */
  sandbox: Sandbox;
}

const STDERR_KEPT = 16 * 1024;

/**
 * Agent port over a coding-agent CLI. The caps are enforced here, not only passed as flags:
 * the turn count is read from the streamed output and the process group is killed as soon as
 * it passes `maxTurns`; past `timeoutMs`, or when the invocation's signal aborts, it is killed
 * too. The child's environment is exactly `invocation.env` — nothing of this process leaks in —
 * and it runs in `options.sandbox`.
 */
export function createCliAgent(options: CliAgentOptions): Agent {
  const template = options.command ?? CLAUDE_COMMAND;
  const killGraceMs = options.killGraceMs ?? 2_000;

  return {
    run(invocation: AgentInvocation): Promise<AgentOutcome> {
      const argv = renderCommand(template, {
        prompt: invocation.prompt,
        maxTurns: invocation.maxTurns,
        ...(invocation.model ? { model: invocation.model } : {}),
      });
      if (!argv[0]) throw new Error('agent command template is empty');
      // The agent may write its working tree only; it never sees the session or its credentials.
      const confined = options.sandbox.wrap({
        argv,
        cwd: invocation.cwd,
        env: invocation.env,
        writable: [invocation.cwd],
        modelApi: true,
      });
      const [file, ...args] = confined.argv as [string, ...string[]];
      const shown = argv[0];

      return new Promise<AgentOutcome>((resolve) => {
        const counter = createTurnCounter(options.turnPattern);
        let stderr = '';
        let stopped: 'maxTurns' | 'timedOut' | undefined;
        let settled = false;
        const child = spawn(file, args, {
          cwd: confined.cwd,
          env: confined.env,
          stdio: ['ignore', 'pipe', 'pipe'],
          // Its own process group, so a kill also ends whatever the agent started.
          detached: true,
        });

        const kill = (sig: NodeJS.Signals) => signalProcessGroup(child, sig);
        let hardKill: NodeJS.Timeout | undefined;
        const stop = (why: 'maxTurns' | 'timedOut') => {
          if (stopped) return;
          stopped = why;
          kill('SIGTERM');
          hardKill = setTimeout(() => kill('SIGKILL'), killGraceMs);
        };

        const timer = setTimeout(() => stop('timedOut'), Math.max(1, invocation.timeoutMs));
        const onAbort = () => stop('timedOut');
        if (invocation.signal?.aborted) onAbort();
        invocation.signal?.addEventListener('abort', onAbort, { once: true });

        child.stdout?.setEncoding('utf8');
        let usageSeen = 0;
        const reportUsage = () => {
          if (counter.usageVersion === usageSeen) return;
          usageSeen = counter.usageVersion;
          const usage = counter.usage();
          if (usage) invocation.onUsage?.(usage);
        };
        child.stdout?.on('data', (chunk: string) => {
          if (counter.push(chunk) > invocation.maxTurns) stop('maxTurns');
          reportUsage();
        });
        child.stderr?.setEncoding('utf8');
        child.stderr?.on('data', (chunk: string) => {
          stderr = (stderr + chunk).slice(-STDERR_KEPT);
        });

        const finish = (bare: AgentOutcome) => {
          if (settled) return;
          settled = true;
          reportUsage();
          const usage = counter.usage();
          const outcome: AgentOutcome = usage ? { ...bare, usage } : bare;
          clearTimeout(timer);
          if (hardKill) clearTimeout(hardKill);
          invocation.signal?.removeEventListener('abort', onAbort);
          resolve(outcome);
        };

        child.once('error', (error) => {
          // The CLI is not installed or not executable: the shell's "command not found" code.
          finish({ kind: 'failed', exitCode: 127, output: `${shown}: ${error.message}` });
        });
        child.once('close', (code) => {
          if (counter.end() > invocation.maxTurns && !stopped) stopped = 'maxTurns';
          const output = counter.output();
          if (stopped === 'maxTurns' || counter.stoppedAtMaxTurns) {
            finish({ kind: 'maxTurns', turns: counter.turns, output });
          } else if (stopped === 'timedOut') {
            finish({ kind: 'timedOut', output });
          } else if (code !== 0 || counter.reportedError) {
            const detail = [stderr.trim(), code !== 0 ? '' : output.trim()].filter(Boolean).join('\n') || output.trim();
            finish({ kind: 'failed', exitCode: code ?? 1, output: detail });
          } else {
            finish({ kind: 'finished', turns: counter.turns, output });
          }
        });
      });
    },
  };
}
