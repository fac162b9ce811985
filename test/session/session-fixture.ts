import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createCliAgent } from '../../adapters/agent/claude-cli.agent.js';
import { createLocalForge, type LocalForge } from '../../adapters/forge/local/local-forge.adapter.js';
import { createBwrapSandbox } from '../../adapters/sandbox/bwrap.sandbox.js';
import { createSystemClock } from '../../adapters/system/system-clock.adapter.js';
import type { Phase } from '../../core/domain/model.js';
import { createCallbackClient } from '../../hosts/session/callback-client.js';
import type { SessionConfig } from '../../hosts/session/session-env.js';
import { type SessionForge, sessionForge } from '../../hosts/session/session-forge.js';
import { runSession, type SessionOutcome } from '../../hosts/session/session-runtime.js';
import { createShell } from '../../hosts/session/shell.js';
import { loadPlugins } from '../../plugins/plugin-loader.js';
import { type FakeCallbackOptions, type FakeCallbackServer, startFakeCallbackServer } from './fake-callback-server.js';

export const FAKE_AGENT = resolve('test/fakes/agent/fake-agent.mjs');
export const FAKE_AGENT_COMMAND = [
  process.execPath,
  FAKE_AGENT,
  '-p',
  '{prompt}',
  '--model',
  '{model}',
  '--max-turns',
  '{maxTurns}',
  '--output-format',
  'stream-json',
  '--verbose',
];

/** A target repository whose `verify` script passes once the agent wrote a good AGENT_CHANGE.md. */
export const TARGET_FILES: Record<string, string> = {
  'README.md': '# app\n',
  'package.json': `${JSON.stringify({ name: 'app', private: true, scripts: { verify: 'node verify.mjs' } }, null, 2)}\n`,
  'verify.mjs': [
    "import { existsSync, readFileSync } from 'node:fs';",
    "if (!existsSync('AGENT_CHANGE.md')) { console.error('AGENT_CHANGE.md is missing'); process.exit(1); }",
    "if (readFileSync('AGENT_CHANGE.md', 'utf8').includes('BROKEN')) { console.error('AGENT_CHANGE.md is BROKEN'); process.exit(2); }",
    "console.log('verify ok');",
    '',
  ].join('\n'),
  'WORKFLOW.md':
    '---\nmodel: claude-impl-test\n---\nImplement {{ issue.identifier }}: {{ issue.title }}\n\n{{ issue.description }}\n',
  'PLANNING.md': '---\nmodel: claude-plan-test\n---\n',
};

export interface SessionFixture {
  root: string;
  forge: LocalForge;
  server: FakeCallbackServer;
  agentLog: string;
  workspaceRoot: string;
  run(options?: RunOptions): Promise<SessionOutcome>;
  agentCalls(): Promise<{ kind: string; argv: string[]; env: string[]; envValues: Record<string, string> }[]>;
  cleanup(): Promise<void>;
}

export interface RunOptions {
  phase?: Phase;
  mode?: string;
  caps?: Partial<SessionConfig['caps']>;
  minuteMs?: number;
  repoUrl?: string;
  customDir?: string;
  forge?: (config: SessionConfig) => Promise<SessionForge | { error: string }>;
  env?: Record<string, string>;
  stopGraceMs?: number;
  /** How often a spending agent's usage is reported on its own (the runtime's default when unset). */
  usageReportMs?: number;
  /** Extra session settings (the operator's model and prompt overrides). */
  config?: Partial<SessionConfig>;
}

export async function sessionFixture(serverOptions: FakeCallbackOptions = {}): Promise<SessionFixture> {
  const root = await mkdtemp(join(tmpdir(), 'ai-implement-session-'));
  const forge = createLocalForge({ root: join(root, 'repos') });
  (await forge.createRepository({ owner: 'acme', repo: 'app' }, 'main', TARGET_FILES))._unsafeUnwrap();
  const server = await startFakeCallbackServer(serverOptions);
  // In a directory of its own: the sandbox shows the agent that directory, not the forge's repositories.
  const agentLogDir = join(root, 'agent-log');
  await mkdir(agentLogDir);
  const agentLog = join(agentLogDir, 'agent.log');
  const sandboxSettings: SessionConfig['sandbox'] = {
    mode: 'bwrap',
    readOnly: [dirname(FAKE_AGENT)],
    readWrite: [agentLogDir],
    mask: [],
    egress: 'open',
    egressAllow: [],
  };
  const sandbox = createBwrapSandbox({ readOnly: sandboxSettings.readOnly, readWrite: sandboxSettings.readWrite });
  const workspaceRoot = join(root, 'workspaces');
  const lines: string[] = [];
  return {
    root,
    forge,
    server,
    agentLog,
    workspaceRoot,
    async run(options = {}) {
      const config: SessionConfig = {
        jobId: 'job-1',
        phase: options.phase ?? 'implementation',
        issueIdentifier: 'ENG-1',
        callbackUrl: server.url,
        resultToken: serverOptions.resultToken ?? 'result-token-abcdef',
        progressToken: serverOptions.progressToken ?? 'progress-token-abcdef',
        nonce: serverOptions.nonce ?? 'nonce-abcdef123456',
        forge: 'local',
        owner: 'acme',
        repo: 'app',
        repoUrl: options.repoUrl ?? forge.cloneUrl({ owner: 'acme', repo: 'app' }),
        defaultBranch: 'main',
        branch: 'ai-implement/ENG-1',
        githubApiUrl: 'http://127.0.0.1:9',
        githubServerUrl: 'http://127.0.0.1:9',
        caps: { maxTurns: 10, maxIterations: 3, maxJobMinutes: 90, ...options.caps },
        minuteMs: options.minuteMs ?? 60_000,
        agentCommand: FAKE_AGENT_COMMAND,
        pipeline: options.phase ?? 'implementation',
        customDir: options.customDir ?? join(root, 'no-custom'),
        workspaceRoot,
        sandbox: sandboxSettings,
        agentEnv: {
          PATH: process.env.PATH ?? '',
          HOME: process.env.HOME ?? root,
          FAKE_AGENT_LOG: agentLog,
          ...(options.mode ? { FAKE_AGENT_MODE: options.mode } : {}),
          ...options.env,
        },
        ...options.config,
        budget: options.config?.budget ?? {},
      };
      const callbacks = createCallbackClient({
        callbackUrl: config.callbackUrl,
        resultToken: config.resultToken,
        progressToken: config.progressToken,
        nonce: config.nonce,
        log: (l) => lines.push(l),
        sleep: async () => undefined,
      });
      return runSession({
        config,
        callbacks,
        agent: createCliAgent({ command: FAKE_AGENT_COMMAND, killGraceMs: 300, sandbox }),
        shell: createShell({ killGraceMs: 300, sandbox }),
        clock: createSystemClock(),
        loadCatalog: (services) => loadPlugins({ customDir: config.customDir, services }),
        forge: options.forge ? (c) => options.forge!(c) : sessionForge,
        log: (l) => lines.push(l),
        ...(options.stopGraceMs ? { stopGraceMs: options.stopGraceMs } : {}),
        // Off unless a test asks: usage-only reports would shift the progress calls the tests count.
        usageReportMs: options.usageReportMs ?? 1e9,
      });
    },
    async agentCalls() {
      try {
        return (await readFile(agentLog, 'utf8'))
          .trim()
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l));
      } catch {
        return [];
      }
    },
    async cleanup() {
      await server.close();
      await forge.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}
