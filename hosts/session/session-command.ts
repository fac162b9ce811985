import { CLAUDE_COMMAND } from '../../adapters/agent/agent-command.js';
import { createCliAgent } from '../../adapters/agent/claude-cli.agent.js';
import { agentInstallDirs } from '../../adapters/sandbox/agent-install.js';
import { createBwrapSandbox, createNoSandbox, findBwrap } from '../../adapters/sandbox/bwrap.sandbox.js';
import { createSystemClock } from '../../adapters/system/system-clock.adapter.js';
import { loadPlugins } from '../../plugins/plugin-loader.js';
import { createCallbackClient } from './callback-client.js';
import { takeRunCredentials } from './run-credentials.js';
import { readSessionEnv, type SandboxSettings } from './session-env.js';
import { sessionForge } from './session-forge.js';
import { runSession } from './session-runtime.js';
import { createShell } from './shell.js';

export interface SessionIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

/**
 * `ai-implement session`: reads the run's environment and runs it. Exit 0 when the run
 * succeeded, 1 when it failed (the failure was reported), 2 for a bad environment (nothing
 * could be reported), 3 when the result could not be delivered.
 */
export async function sessionCommand(
  env: Record<string, string | undefined>,
  io: SessionIo = { out: (l) => console.log(l), err: (l) => console.error(l) },
  /** How the result's retries wait (tests pass a quick one). */
  sleep?: (ms: number) => Promise<void>,
): Promise<number> {
  const taken = takeRunCredentials(env);
  if ('error' in taken) {
    io.err(taken.error);
    return 2;
  }
  const config = readSessionEnv(taken.env);
  if (config.isErr()) {
    io.err(config.error);
    return 2;
  }
  const c = config.value;
  const sandbox = sandboxFor(c.sandbox, taken.env.PATH ?? '', (c.agentCommand ?? CLAUDE_COMMAND)[0]);
  if ('error' in sandbox) {
    io.err(sandbox.error);
    return 2;
  }
  const log = (line: string) => io.out(`[session ${c.issueIdentifier}] ${line}`);
  const callbacks = createCallbackClient({
    callbackUrl: c.callbackUrl,
    resultToken: c.resultToken,
    progressToken: c.progressToken,
    nonce: c.nonce,
    log,
    ...(sleep ? { sleep } : {}),
  });
  const signals: NodeJS.Signals[] = ['SIGTERM', 'SIGINT'];
  const handlers: (() => void)[] = [];
  try {
    const outcome = await runSession({
      config: c,
      callbacks,
      agent: createCliAgent({ sandbox, ...(c.agentCommand ? { command: c.agentCommand } : {}) }),
      shell: createShell({ sandbox }),
      clock: createSystemClock(),
      loadCatalog: (services) => loadPlugins({ customDir: c.customDir, services }),
      forge: sessionForge,
      log,
      onStopRequest: (stop) => {
        for (const signal of signals) {
          const handler = () => stop(signal);
          handlers.push(() => process.off(signal, handler));
          process.once(signal, handler);
        }
      },
    });
    if (!outcome.delivered) return 3;
    return outcome.outcome === 'success' ? 0 : 1;
  } finally {
    for (const off of handlers) off();
  }
}

/** The sandbox the settings ask for; no agent runs unconfined unless the operator said `off`. */
function sandboxFor(settings: SandboxSettings, path: string, agentProgram: string | undefined) {
  if (settings.mode === 'off') return createNoSandbox();
  const bwrap = findBwrap(path || undefined);
  if (!bwrap)
    return {
      error:
        "session: bubblewrap (bwrap) is not installed, so the agent cannot be sandboxed: install Debian's bubblewrap, or set AI_IMPLEMENT_SANDBOX=off to run it unconfined",
    };
  // The agent CLI's own install, when it is not a system program, is shown read-only too.
  const readOnly = [...new Set([...settings.readOnly, ...agentInstallDirs(agentProgram, path)])];
  return createBwrapSandbox({ bwrap, readOnly, readWrite: settings.readWrite });
}
