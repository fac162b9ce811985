import { createCliAgent } from '../../adapters/agent/claude-cli.agent.js';
import { createSystemClock } from '../../adapters/system/system-clock.adapter.js';
import { loadPlugins } from '../../plugins/plugin-loader.js';
import { createCallbackClient } from './callback-client.js';
import { readSessionEnv } from './session-env.js';
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
  const config = readSessionEnv(env);
  if (config.isErr()) {
    io.err(config.error);
    return 2;
  }
  const c = config.value;
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
      agent: createCliAgent(c.agentCommand ? { command: c.agentCommand } : {}),
      shell: createShell(),
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
