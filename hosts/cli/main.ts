import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { stripVTControlCharacters } from 'node:util';
import { type CommandDef, defineCommand, renderUsage, runCommand } from 'citty';
import { serve } from 'h3';
import { type Config, loadConfig } from '../config.js';
import { createOrchestrator, type Orchestrator, type OrchestratorOverrides } from '../container.js';
import { packageVersion } from '../package-layout.js';
import { shutdownServer } from '../server-shutdown.js';
import { sessionCommand } from '../session/session-command.js';
import { type CliIo, consoleIo } from './cli-io.js';
import { doctor } from './doctor-command.js';
import { type Env, withEnvFile } from './env-file.js';
import { initCommand } from './init-command.js';
import { secretsCommand } from './secrets-command.js';
import { storageCommand } from './storage-command.js';

/**
 * `ai-implement [serve|session|init|doctor|storage] [--help] [--version]`, parsed with citty.
 * Output goes to stdout/stderr as plain lines; no line ever carries a configured secret
 * (config errors name variables, never values). `serve`, `doctor` and `storage` read `.env`
 * of the working directory under the environment (`--dotenv` names another); `session`
 * never does: a run's environment is exactly what its runner gave it.
 */

export type { CliIo } from './cli-io.js';

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
  try {
    await server.ready();
  } catch (error) {
    // "listen EADDRINUSE …" or "getaddrinfo ENOTFOUND …" alone names no variable to change.
    await orchestrator.dispose();
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`Cannot listen on HOST ${config.value.host} and PORT ${config.value.port}: ${reason}`, { cause: error });
  }
  orchestrator.start();
  const url = (server.url ?? config.value.publicUrl).replace(/\/$/, '');
  io.out(`AI-Implement listening on ${url}`);
  for (const line of nextSteps(config.value, url)) io.out(line);
  let closing: Promise<void> | undefined;
  return {
    url,
    orchestrator,
    close: () => {
      // No new work at once; requests in flight get up to 10 s; then storage closes (server-shutdown.ts).
      closing ??= shutdownServer(server, orchestrator, { log: io.err });
      return closing;
    },
  };
}

/** What the start prints after the URL: where the admin is and what to do next. */
function nextSteps(config: Config, url: string): string[] {
  if (!config.adminAccessCode) {
    return [
      '/admin is disabled until ADMIN_ACCESS_CODE is set',
      'Next: ai-implement init (npm run cli -- init in a checkout) writes a .env with an access code; then start again',
    ];
  }
  return [
    `Admin: ${url}/admin (sign in with ADMIN_ACCESS_CODE)`,
    'Next: add a project in the admin; ai-implement doctor checks what the chosen runner needs',
  ];
}

/** `serve`: starts the server and stops it on SIGINT/SIGTERM, in this very process. */
async function runServe(env: Env, io: CliIo): Promise<number | 'running'> {
  const running = await startServer(env, io);
  if (!running) return 1;
  const stop = (signal: string) => {
    io.out(`${signal} received, shutting down`);
    running.close().then(
      () => process.exit(0),
      (error: unknown) => {
        io.err(`shutdown failed: ${error instanceof Error ? error.message : 'unknown error'}`);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
  return 'running';
}

const envFileArg = {
  dotenv: {
    type: 'string',
    description: 'variables to read under the environment (optional file)',
    valueHint: 'path',
    default: '.env',
  },
} as const;

/**
 * The command tree. Each command's run hands its exit code to `done` (citty keeps no result
 * of a sub-command).
 */
function cliCommands(env: Env, io: CliIo, done: (code: number | 'running') => void): CommandDef {
  const fileEnv = (file: string | undefined) => withEnvFile(env, resolve(file ?? '.env'));
  return defineCommand({
    meta: { name: 'ai-implement', version: packageVersion(), description: 'Turns tickets into pull requests' },
    subCommands: {
      serve: defineCommand({
        meta: { name: 'serve', description: 'run the orchestrator (the default command)' },
        args: envFileArg,
        run: async ({ args }) => done(await runServe(fileEnv(args.dotenv), io)),
      }),
      session: defineCommand({
        meta: {
          name: 'session',
          description: "run one job's pipeline (inside a runner; reads AI_IMPLEMENT_* from the environment)",
        },
        run: async () => done(await sessionCommand(env)),
      }),
      init: defineCommand({
        meta: { name: 'init', description: 'write a commented .env with a generated access code and token secret' },
        args: {
          force: { type: 'boolean', description: 'replace an existing file', default: false },
          file: { type: 'string', description: 'where to write', valueHint: 'path', default: '.env' },
        },
        run: ({ args }) => done(initCommand(resolve(args.file), { force: args.force }, io)),
      }),
      doctor: defineCommand({
        meta: { name: 'doctor', description: 'check the configuration and what the chosen runner needs' },
        args: {
          ...envFileArg,
          runner: { type: 'string', description: 'check this runner instead of RUNNER_MODE', valueHint: 'local|gha|fly|shadow' },
        },
        run: async ({ args }) => done(await doctor(fileEnv(args.dotenv), io, args.runner ? { runner: args.runner } : {})),
      }),
      storage: defineCommand({
        meta: { name: 'storage', description: 'storage tools' },
        subCommands: {
          import: defineCommand({
            meta: { name: 'import', description: 'import a JSON store of an earlier version into the (empty) configured store' },
            args: { ...envFileArg, file: { type: 'positional', description: 'the JSON store', required: true } },
            run: async ({ args }) => done(await storageCommand(['import', args.file], fileEnv(args.dotenv), io)),
          }),
          export: defineCommand({
            meta: { name: 'export', description: 'write the configured store as a JSON store file (new) that import reads' },
            args: { ...envFileArg, file: { type: 'positional', description: 'the file to write', required: true } },
            run: async ({ args }) => done(await storageCommand(['export', args.file], fileEnv(args.dotenv), io)),
          }),
        },
      }),
      secrets: defineCommand({
        meta: { name: 'secrets', description: 'secret store tools' },
        subCommands: {
          rotate: defineCommand({
            meta: {
              name: 'rotate',
              description: 're-encrypt every stored secret under a new key (run with the server stopped)',
            },
            args: envFileArg,
            run: async ({ args }) => done(await secretsCommand(['rotate'], fileEnv(args.dotenv), io)),
          }),
        },
      }),
    },
  });
}

const HELP = new Set(['--help', '-h', 'help']);

/** Runs one command line; resolves with its exit code, or `running` while `serve` serves. */
export async function main(argv: string[], env: Env, io: CliIo = consoleIo): Promise<number | 'running'> {
  let code: number | 'running' = 0;
  const root = cliCommands(env, io, (c) => {
    code = c;
  });
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-v')) {
    io.out(packageVersion());
    return 0;
  }
  if (argv.some((a) => HELP.has(a))) {
    io.out(
      await usage(
        root,
        argv.filter((a) => !HELP.has(a)),
      ),
    );
    return 0;
  }
  const rawArgs = argv.length === 0 || argv[0]?.startsWith('-') ? ['serve', ...argv] : argv;
  try {
    await runCommand(root, { rawArgs });
  } catch (error) {
    if (!(error instanceof Error) || error.name !== 'CLIError') throw error;
    io.err(`${plain(error.message)}\n`);
    io.err(await usage(root, argv));
    return 2;
  }
  return code;
}

/** citty colours its text; a pipe or a file gets it plain. */
const plain = (text: string) => (process.stdout.isTTY ? text : stripVTControlCharacters(text));

/** The usage text of the (sub-)command an argv names. */
async function usage(root: CommandDef, argv: string[]): Promise<string> {
  return plain(await renderUsage(...(await commandFor(root, argv))));
}

/** The (sub-)command an argv names, with its parent, for its usage text. */
async function commandFor(root: CommandDef, argv: string[]): Promise<[CommandDef, CommandDef?]> {
  let command = root;
  let parent: CommandDef | undefined;
  for (const word of argv) {
    const subs = (typeof command.subCommands === 'function' ? await command.subCommands() : await command.subCommands) ?? {};
    const next = subs[word];
    if (!next) break;
    parent = command;
    command = (typeof next === 'function' ? await next() : await next) as CommandDef;
  }
  return parent ? [command, parent] : [command];
}

/** Runs this process's command line, and sets its exit code when the command ends. */
export function runProcess(): void {
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

// Run as a file (`node --import tsx hosts/cli/main.ts serve`, as tests do) rather than imported.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) runProcess();
