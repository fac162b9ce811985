import { z } from 'zod';
import { defineStep } from '../define-step.js';
import type { RunContext } from '../run-context.js';
import { runImplementation } from './implement.step.js';
import { detectInstall } from './setup.step.js';
import { readRepoFile } from './shared/repo-file.js';
import { lastLine, safeTail } from './shared/text.js';

/** The verification command: the configured one, else the package.json script, else none. */
async function verificationCommand(ctx: RunContext, command: string | undefined, script: string): Promise<string[] | undefined> {
  if (command) return ['sh', '-c', command];
  let pkg: { scripts?: Record<string, unknown> };
  try {
    // The agent may have made package.json a link to a host file, or a FIFO: never followed.
    pkg = JSON.parse((await readRepoFile(ctx.repoDir, 'package.json')) ?? '') as typeof pkg;
  } catch {
    return undefined;
  }
  if (typeof pkg.scripts?.[script] !== 'string') return undefined;
  const manager = (await detectInstall(ctx.repoDir))?.manager ?? 'npm';
  return [manager === 'custom' ? 'npm' : manager, 'run', script];
}

/**
 * Runs the repository's verification script. On a failure the agent gets the output to fix
 * and the script runs again: `maxIterations` bounds the whole implement → verify loop, so a
 * run never loops without end. Each attempt is on the ticket (🧪, ✅ or ❌).
 */
export default defineStep({
  name: 'verify',
  needs: ['shell', 'agent', 'status'],
  config: z.object({
    /** A command run through `sh -c` instead of the package.json script. */
    command: z.string().optional(),
    /** The package.json script to run when no command is given. */
    script: z.string().default('verify'),
    /** Give a failure back to the agent to fix, within maxIterations. */
    fixWithAgent: z.boolean().default(true),
  }),
  async run(ctx, { shell, agent, status }, settings) {
    const argv = await verificationCommand(ctx, settings.command, settings.script);
    if (!argv) return { status: 'skipped', output: { reason: `no ${settings.script} script and no command configured` } };
    const attempts = settings.fixWithAgent ? Math.max(1, ctx.caps.maxIterations) : 1;
    for (let attempt = 1; ; attempt++) {
      await status({ type: 'verification_started' });
      const result = await shell.run({
        argv,
        cwd: ctx.repoDir,
        env: { ...ctx.agentEnv, CI: 'true' },
        timeoutMs: Math.max(1000, ctx.remainingMs()),
        signal: ctx.signal,
      });
      if (result.killed && ctx.signal.aborted) return { status: 'failed', message: 'Verification stopped: the run was stopped' };
      if (result.exitCode === 0) {
        await status({ type: 'verification_passed' });
        return { status: 'succeeded', output: { attempts: attempt } };
      }
      const detail = `${argv.join(' ')} exited with ${result.exitCode}${lastLine(result.output, ctx.secretValues) ? `: ${lastLine(result.output, ctx.secretValues)}` : ''}`;
      await status({ type: 'verification_failed', detail });
      const tail = safeTail(result.output, ctx.secretValues, 1500);
      if (attempt >= attempts) {
        return {
          status: 'failed',
          message: `Verification failed after ${attempt} of ${attempts} iterations (exit ${result.exitCode}): ${tail}`,
          output: { attempts: attempt },
        };
      }
      const fixed = await runImplementation(
        ctx,
        agent,
        ctx.state['implement.template'] as string | undefined,
        `\`${argv.join(' ')}\` exited with ${result.exitCode}:\n\n${tail}`,
      );
      if (fixed.status === 'failed') return fixed;
    }
  },
});
