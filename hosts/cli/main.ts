import { pathToFileURL } from 'node:url';
import { serve } from 'h3';
import { findBwrap } from '../../adapters/sandbox/bwrap.sandbox.js';
import { describeConnections, loadConfig } from '../config.js';
import { createOrchestrator, type Orchestrator, type OrchestratorOverrides } from '../container.js';
import { sessionCommand } from '../session/session-command.js';
import { storageCommand } from './storage-command.js';

/**
 * `ai-implement [serve|session|doctor|storage|help]`. Output goes to stdout/stderr as plain lines; no line
 * ever carries a configured secret (config errors name variables, never values).
 */

const USAGE = `Usage: ai-implement <command>

Commands:
  serve    run the orchestrator (default)
  session  run one job's pipeline (inside a runner; reads AI_IMPLEMENT_* from the environment)
  doctor   show which connections are configured (never their values)
  storage import FILE
           import a JSON store of an earlier version into the (empty) configured store
  help     show this text`;

export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

const consoleIo: CliIo = { out: (l) => console.log(l), err: (l) => console.error(l) };

export interface RunningServer {
  url: string;
  orchestrator: Orchestrator;
  close(): Promise<void>;
}

/** Starts the server and resolves once it listens. Exposed for tests and embedders. */
export async function startServer(
  env: Record<string, string | undefined>,
  io: CliIo = consoleIo,
  /** Replacements for registrations (tests: a runner that holds its jobs in flight). */
  overrides: OrchestratorOverrides = {},
): Promise<RunningServer | undefined> {
  const config = loadConfig(env);
  if (config.isErr()) {
    io.err(config.error);
    return undefined;
  }
  const orchestrator = await createOrchestrator(config.value, overrides);
  const app = orchestrator.app;
  const server = serve(app, {
    port: config.value.port,
    hostname: config.value.host,
    silent: true,
    gracefulShutdown: false,
    maxRequestBodySize: 1024 * 1024,
  });
  await server.ready();
  orchestrator.start();
  const url = (server.url ?? config.value.publicUrl).replace(/\/$/, '');
  io.out(`AI-Implement listening on ${url}`);
  if (!config.value.adminAccessCode) io.out('/admin is disabled until ADMIN_ACCESS_CODE is set');
  let closing: Promise<void> | undefined;
  return {
    url,
    orchestrator,
    close: () => {
      closing ??= server.close(true).then(() => orchestrator.dispose());
      return closing;
    },
  };
}

export function doctor(env: Record<string, string | undefined>, io: CliIo = consoleIo): number {
  const config = loadConfig(env);
  if (config.isErr()) {
    io.err(config.error);
    return 1;
  }
  io.out('Configuration is valid.');
  for (const c of describeConnections(config.value)) {
    io.out(`${c.configured ? '✓' : '·'} ${c.name}: ${c.detail}`);
  }
  io.out(sandboxStatus(env));
  return 0;
}

/** Whether a local session can sandbox its agent (bubblewrap), or was told not to. */
function sandboxStatus(env: Record<string, string | undefined>): string {
  if (env.AI_IMPLEMENT_SANDBOX === 'off') return '· Agent sandbox: off (AI_IMPLEMENT_SANDBOX=off): the agent runs unconfined';
  const bwrap = findBwrap(env.PATH);
  return bwrap
    ? `✓ Agent sandbox: bubblewrap (${bwrap})`
    : "· Agent sandbox: bubblewrap (bwrap) not found: local sessions refuse to run the agent; install Debian's bubblewrap or set AI_IMPLEMENT_SANDBOX=off";
}

export async function main(argv: string[], env: Record<string, string | undefined>): Promise<number | 'running'> {
  const command = argv[0] ?? 'serve';
  switch (command) {
    case 'serve': {
      const running = await startServer(env);
      if (!running) return 1;
      const stop = (signal: string) => {
        console.log(`${signal} received, shutting down`);
        running.close().then(
          () => process.exit(0),
          (error: unknown) => {
            console.error(`shutdown failed: ${error instanceof Error ? error.message : 'unknown error'}`);
            process.exit(1);
          },
        );
      };
      process.once('SIGINT', () => stop('SIGINT'));
      process.once('SIGTERM', () => stop('SIGTERM'));
      return 'running';
    }
    case 'session':
      return sessionCommand(env);
    case 'doctor':
      return doctor(env);
    case 'storage':
      return storageCommand(argv.slice(1), env, consoleIo);
    case 'help':
    case '--help':
    case '-h':
      console.log(USAGE);
      return 0;
    default:
      console.error(`Unknown command: ${command}\n\n${USAGE}`);
      return 2;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main(process.argv.slice(2), process.env).then(
    (code) => {
      if (code !== 'running') process.exitCode = code;
    },
    (error: unknown) => {
      // Startup failures (storage unreachable, a bad STORAGE_URL) name the problem, not secrets.
      console.error(`Failed to start: ${error instanceof Error ? error.message : 'unknown error'}`);
      process.exitCode = 1;
    },
  );
}
