import { accessSync, constants } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import { CLAUDE_COMMAND, parseCommandTemplate } from '../../adapters/agent/agent-command.js';
import { detectContainerCli } from '../../adapters/runners/local/container-cli.js';
import { sessionHostEnv } from '../../adapters/runners/local/local.runner.js';
import { findBwrap } from '../../adapters/sandbox/bwrap.sandbox.js';
import { createStorage } from '../../adapters/storage/create-storage.js';
import { parseEgressAllow } from '../../core/domain/egress.js';
import type { RunnerMode } from '../../core/domain/model.js';
import { isRunnerMode } from '../../core/domain/runner-mode.js';
import { type Config, describeConnections, loadConfig } from '../config.js';
import type { CliIo } from './cli-io.js';
import type { Env } from './env-file.js';

/** One line of the report: ✓ fine, · for information, ✗ a failure (doctor exits 1). */
export interface Check {
  status: 'ok' | 'info' | 'fail';
  line: string;
}

const MARK = { ok: '✓', info: '·', fail: '✗' } as const;
const STORAGE_TIMEOUT_MS = 10_000;

export interface DoctorOptions {
  /** Check this runner instead of `RUNNER_MODE`'s (`--runner`). */
  runner?: string;
  /** Finds a usable container CLI (`docker info`); injectable for tests. */
  detectContainer?: (env: Env) => Promise<string | undefined>;
}

/**
 * `ai-implement doctor`: the configuration (connections, never values), then what the chosen
 * runner needs on this machine — storage reachable; for `local` the agent CLI, git, bubblewrap
 * and whether docker is reachable; for `gha`/`fly` their credentials — and the admin URL.
 * Exits 1 when the configuration is invalid or a check fails.
 */
export async function doctor(env: Env, io: CliIo, options: DoctorOptions = {}): Promise<number> {
  const config = loadConfig(env);
  if (config.isErr()) {
    io.err(config.error);
    return 1;
  }
  if (options.runner !== undefined && !isRunnerMode(options.runner)) {
    io.err(`--runner must be one of: default, gha, fly, local, shadow`);
    return 1;
  }
  io.out('Configuration is valid.');
  for (const c of describeConnections(config.value)) io.out(`${c.configured ? '✓' : '·'} ${c.name}: ${c.detail}`);

  const mode: RunnerMode = (options.runner as RunnerMode | undefined) ?? config.value.runnerMode ?? 'default';
  const source = options.runner
    ? '--runner'
    : config.value.runnerMode
      ? 'RUNNER_MODE'
      : 'no RUNNER_MODE; the admin may store another';
  io.out(`Runner: ${mode} (${source})`);
  const checks = [
    await storageCheck(config.value),
    ...runnerChecks(mode, config.value, env),
    // `docker info` gets PATH, HOME and the container CLI's own variables, never a secret.
    await containerCheck(env, options.detectContainer ?? ((e) => detectContainerCli(['docker'], { env: sessionHostEnv(e) }))),
  ];
  for (const check of checks) io.out(`${MARK[check.status]} ${check.line}`);
  io.out(
    config.value.adminAccessCode
      ? `Admin: ${config.value.publicUrl}/admin (sign in with ADMIN_ACCESS_CODE)`
      : 'Admin: disabled until ADMIN_ACCESS_CODE is set (ai-implement init writes one)',
  );
  const failed = checks.filter((c) => c.status === 'fail').length;
  if (failed > 0) io.err(`${failed} check${failed === 1 ? '' : 's'} failed`);
  return failed > 0 ? 1 : 0;
}

/** The store opens (migrations included) and closes within 10 s; the message never holds the URL. */
async function storageCheck(config: Config): Promise<Check> {
  const { dataDir, storageUrl } = config;
  let timer: NodeJS.Timeout | undefined;
  try {
    const opened = createStorage({ dataDir, ...(storageUrl ? { storageUrl } : {}), importLegacy: false });
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${STORAGE_TIMEOUT_MS / 1000} s`)), STORAGE_TIMEOUT_MS);
    });
    const storage = await Promise.race([opened, timeout]);
    await storage.close();
    return { status: 'ok', line: 'Storage: reachable' };
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : 'unknown error';
    return { status: 'fail', line: `Storage: not reachable: ${redactSecrets(reason ?? '', config)}` };
  } finally {
    clearTimeout(timer);
  }
}

/** A driver's message may quote the URL it was given; never echo its credentials. */
function redactSecrets(text: string, config: Config): string {
  return config.storageUrl ? text.split(config.storageUrl).join('STORAGE_URL') : text;
}

function runnerChecks(mode: RunnerMode, config: Config, env: Env): Check[] {
  const path = env.PATH ?? '';
  switch (mode) {
    case 'local':
      return [agentCheck(env, 'fail'), gitCheck(path, 'fail'), sandboxCheck(env, 'fail'), ...egressCheck(env)];
    case 'gha':
      return [githubCheck(config, 'fail')];
    case 'fly':
      return [flyCheck(config, 'fail')];
    case 'shadow':
      return [{ status: 'ok', line: 'Shadow runs record what would be dispatched and need nothing more' }];
    case 'default':
      // Each mapping chooses GitHub Actions or Fly; neither is required before one does.
      return [githubCheck(config, 'info'), flyCheck(config, 'info'), sandboxCheck(env, 'info')];
  }
}

function agentCheck(env: Env, missing: Check['status']): Check {
  const configured = parseCommandTemplate(env.AI_IMPLEMENT_AGENT_COMMAND);
  const program = (configured ?? CLAUDE_COMMAND)[0] ?? 'claude';
  const found = findExecutable(program, env.PATH ?? '');
  const named = configured ? `${program} (AI_IMPLEMENT_AGENT_COMMAND)` : program;
  return found
    ? { status: 'ok', line: `Agent CLI: ${named} (${found})` }
    : {
        status: missing,
        line: `Agent CLI: ${named} not found on PATH; install Claude Code (claude) or set AI_IMPLEMENT_AGENT_COMMAND`,
      };
}

function gitCheck(path: string, missing: Check['status']): Check {
  const found = findExecutable('git', path);
  return found
    ? { status: 'ok', line: `git: ${found}` }
    : { status: missing, line: 'git: not found on PATH; sessions clone and push with it' };
}

/** Whether a local session can sandbox its agent (bubblewrap), or was told not to. */
function sandboxCheck(env: Env, missing: Check['status']): Check {
  if (env.AI_IMPLEMENT_SANDBOX === 'off') {
    return { status: 'info', line: 'Agent sandbox: off (AI_IMPLEMENT_SANDBOX=off): the agent runs unconfined' };
  }
  const bwrap = findBwrap(env.PATH);
  return bwrap
    ? { status: 'ok', line: `Agent sandbox: bubblewrap (${bwrap})` }
    : {
        status: missing,
        line: "Agent sandbox: bubblewrap (bwrap) not found: local sessions refuse to run the agent; install Debian's bubblewrap or set AI_IMPLEMENT_SANDBOX=off",
      };
}

/** What a local session's sandbox may reach (`AI_IMPLEMENT_EGRESS`, `…_ALLOW`); nothing to say when it is off. */
function egressCheck(env: Env): Check[] {
  if (env.AI_IMPLEMENT_SANDBOX === 'off') return [];
  const mode = env.AI_IMPLEMENT_EGRESS?.trim() || 'allow-list';
  if (mode === 'open')
    return [{ status: 'info', line: "Agent egress: open (AI_IMPLEMENT_EGRESS=open): the sandbox shares this machine's network" }];
  if (mode !== 'allow-list') return [{ status: 'fail', line: 'Agent egress: AI_IMPLEMENT_EGRESS must be allow-list or open' }];
  const extra = parseEgressAllow(env.AI_IMPLEMENT_EGRESS_ALLOW ?? '');
  if (extra.invalid.length > 0)
    return [
      {
        status: 'fail',
        line: `Agent egress: AI_IMPLEMENT_EGRESS_ALLOW has entries that are no host: ${extra.invalid.join(', ')}`,
      },
    ];
  const more = extra.rules.length > 0 ? `, and ${extra.rules.length} from AI_IMPLEMENT_EGRESS_ALLOW` : '';
  return [
    {
      status: 'ok',
      line: `Agent egress: allow-list (the model provider, the package registries, the forge${more}); refused requests are listed on the ticket`,
    },
  ];
}

function githubCheck(config: Config, missing: Check['status']): Check {
  return config.githubToken || config.githubAppId
    ? { status: 'ok', line: 'GitHub Actions: GitHub credentials set' }
    : { status: missing, line: 'GitHub Actions: needs GITHUB_TOKEN or a GitHub App (GITHUB_APP_ID, GITHUB_APP_PRIVATE_KEY)' };
}

function flyCheck(config: Config, missing: Check['status']): Check {
  if (!config.flyApiToken) return { status: missing, line: 'Fly Machines: needs FLY_API_TOKEN' };
  return config.flySessionsApp
    ? { status: 'ok', line: `Fly Machines: API token set; sessions app ${config.flySessionsApp}` }
    : { status: 'info', line: 'Fly Machines: API token set; the sessions app comes from the admin (or FLY_SESSIONS_APP)' };
}

/** Docker is optional: reachable, local sessions run in containers; otherwise as processes. */
async function containerCheck(env: Env, detect: (env: Env) => Promise<string | undefined>): Promise<Check> {
  const cli = await detect(env).catch(() => undefined);
  return cli
    ? { status: 'ok', line: `Docker: reachable; local sessions run in containers` }
    : { status: 'info', line: 'Docker: not reachable (no docker, or no daemon); local sessions run as processes' };
}

/** The first executable `name` on PATH (or `name` itself when it is a path). */
export function findExecutable(name: string, path: string): string | undefined {
  const candidates = name.includes('/')
    ? [name]
    : path
        .split(delimiter)
        .filter(Boolean)
        .map((dir) => join(dir, name));
  for (const file of candidates) {
    if (!isAbsolute(file) && !name.includes('/')) continue;
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // Not here.
    }
  }
  return undefined;
}
