import { CLAUDE_COMMAND } from '../../adapters/agent/agent-command.js';
import { createCliAgent } from '../../adapters/agent/claude-cli.agent.js';
import { agentInstallDirs } from '../../adapters/sandbox/agent-install.js';
import { createBwrapSandbox, createNoSandbox, findBwrap } from '../../adapters/sandbox/bwrap.sandbox.js';
import type { EgressProxy } from '../../adapters/sandbox/egress-proxy.js';
import { createSystemClock } from '../../adapters/system/system-clock.adapter.js';
import { loadPlugins } from '../../plugins/plugin-loader.js';
import { createCallbackClient } from './callback-client.js';
import { receiveRunCredentials } from './run-credentials.js';
import { startSessionEgress } from './session-egress.js';
import { readSessionEnv, type SandboxSettings } from './session-env.js';
import { sessionForge } from './session-forge.js';
import { type SessionModelProxy, startSessionModelProxy } from './session-model-proxy.js';
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
  const taken = await receiveRunCredentials(env);
  if ('error' in taken) {
    io.err(taken.error);
    return 2;
  }
  const config = readSessionEnv(taken.env);
  if (config.isErr()) {
    io.err(config.error);
    return 2;
  }
  const path = taken.env.PATH ?? '';
  let c = config.value;
  const bwrap = c.sandbox.mode === 'off' ? undefined : findBwrap(path || undefined);
  if (c.sandbox.mode !== 'off' && !bwrap) {
    io.err(
      "session: bubblewrap (bwrap) is not installed, so the agent cannot be sandboxed: install Debian's bubblewrap, or set AI_IMPLEMENT_SANDBOX=off to run it unconfined",
    );
    return 2;
  }
  let egress: EgressProxy | undefined;
  try {
    egress = await startSessionEgress(c);
  } catch (error) {
    io.err(`session: the egress proxy could not start: ${error instanceof Error ? error.message : String(error)}`);
    return 2;
  }
  let model: SessionModelProxy | undefined;
  try {
    model = await startSessionModelProxy(c);
  } catch (error) {
    await egress?.close().catch(() => undefined);
    io.err(`session: the model key proxy could not start: ${error instanceof Error ? error.message : String(error)}`);
    return 2;
  }
  // From here on the run, its steps and every sandboxed command see the placeholders only.
  if (model) c = { ...c, agentEnv: model.agentEnv };
  const sandbox = bwrap
    ? confined(c.sandbox, bwrap, path, (c.agentCommand ?? CLAUDE_COMMAND)[0], egress, model)
    : createNoSandbox();
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
      ...(egress ? { egress } : {}),
      ...(model ? { secrets: model.secrets } : {}),
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
    await egress?.close().catch(() => undefined);
    await model?.proxy.close().catch(() => undefined);
  }
}

/**
 * The bubblewrap sandbox the settings ask for. The agent CLI's own install, when it is not a
 * system program, is shown read-only; with an egress or a model key proxy, so is the node
 * that runs their forwarders inside.
 */
function confined(
  settings: SandboxSettings,
  bwrap: string,
  path: string,
  agentProgram: string | undefined,
  egress?: EgressProxy,
  model?: SessionModelProxy,
) {
  const node = process.execPath;
  const forwarded = egress !== undefined || model !== undefined;
  const readOnly = [
    ...new Set([
      ...settings.readOnly,
      ...agentInstallDirs(agentProgram, path),
      ...(forwarded ? agentInstallDirs(node, path) : []),
    ]),
  ];
  return createBwrapSandbox({
    bwrap,
    readOnly,
    readWrite: settings.readWrite,
    mask: settings.mask,
    ...(egress ? { egress: { dir: egress.dir, node } } : {}),
    ...(model ? { modelApi: { dir: model.proxy.dir, node, baseUrls: model.baseUrls } } : {}),
  });
}
