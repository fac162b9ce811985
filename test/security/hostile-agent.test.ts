import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalForge } from '../../adapters/forge/local/local-forge.adapter.js';
import { handOffCredentials } from '../../adapters/runners/local/credentials-file.js';
import { findBwrap, SANDBOX_MODEL_DIR } from '../../adapters/sandbox/bwrap.sandbox.js';
import {
  MODEL_AUTH_TOKEN_PLACEHOLDER,
  MODEL_KEY_PLACEHOLDER,
  MODEL_OAUTH_TOKEN_PLACEHOLDER,
} from '../../adapters/sandbox/model-key-proxy.js';
import { type FakeBedrockRuntime, startFakeBedrockRuntime } from '../fakes/bedrock/fake-bedrock-runtime.js';
import { type FakeCallbackServer, startFakeCallbackServer } from '../session/fake-callback-server.js';
import { TARGET_FILES } from '../session/session-fixture.js';
import { leakedIn } from './leak-detector.js';

/**
 * The attack of issue 13, end to end: the real session runtime (`hosts/cli/main.ts session`),
 * started the way the local runner starts it (credentials in a 0600 file), runs a hostile
 * agent in the real bubblewrap sandbox against a real git repository. The agent reads every
 * /proc it can, DATA_DIR and the checkout, rewires .git/config (fsmonitor, hooks, pushurl,
 * insteadOf) and the verify script, and prints its key in every encoding. Nothing it collects
 * may be a credential, its bare repository must receive nothing, and no form of any secret
 * may reach the ticket, the step history or the session's log. It also tries the network: a
 * loopback server of this machine that is not on the egress allow-list (directly, through the
 * proxy, through a CONNECT tunnel, and by a host name carrying its key), and one that is.
 * The repository's WORKFLOW.md is a symbolic link to DATA_DIR's store: the session, which reads
 * it outside the sandbox, must not put that file in the agent's prompt. The model key is the
 * session's alone, and so are the Bearer tokens (ANTHROPIC_AUTH_TOKEN, CLAUDE_CODE_OAUTH_TOKEN)
 * and Bedrock's AWS keys: the agent gets placeholders and reaches a loopback fake of the
 * Anthropic API through the session's proxy, which must add the real key and tokens there and
 * nowhere else, and a loopback fake of Bedrock's runtime, which checks the proxy's signature.
 */

const CHECKOUT = fileURLToPath(new URL('../../', import.meta.url));
const HOSTILE = fileURLToPath(new URL('../fakes/agent/hostile-agent.mjs', import.meta.url));
const PROBE = fileURLToPath(new URL('../fakes/network/egress-probe.mjs', import.meta.url));
const token = (label: string) => `${label}-${randomBytes(18).toString('hex')}`;

const secrets = {
  resultToken: token('result'),
  progressToken: token('progress'),
  nonce: token('nonce'),
  // What a leaky ancestor put in the session's own environment: the orchestrator's secrets.
  runnerSecret: token('runner-secret'),
  adminCode: token('admin-code'),
  // What sits in DATA_DIR, which the sandbox must not show.
  dataSecret: token('data-secret'),
};
const apiKey = `sk-ant-${randomBytes(20).toString('hex')}`;
/** The mapping's other model credentials: the Bearer tokens and Bedrock's AWS keys. */
const model = {
  authToken: token('gateway-token'),
  oauthToken: `sk-ant-oat01-${randomBytes(20).toString('hex')}`,
  awsKeyId: `AKIA${randomBytes(8).toString('hex').toUpperCase()}`,
  awsSecret: randomBytes(30).toString('base64'),
  awsSessionToken: token('aws-session-token'),
};
const modelSecrets = [apiKey, ...Object.values(model)];
let bedrock: FakeBedrockRuntime;

let root = '';
let loot = '';
let server: FakeCallbackServer;
let exitCode: number | null = null;
let sessionOutput = '';
let bare = '';
/** Loopback servers of this machine: one the allow-list names, one it does not. */
const reached = { allowed: [] as string[], blocked: [] as string[] };
const servers: Server[] = [];
const ports = { allowed: 0, blocked: 0, model: 0 };
/** What the fake Anthropic API was sent: the path and the credentials of each request. */
const modelCalls: { path: string; apiKey: string | undefined; authorization: string | undefined }[] = [];

async function fakeAnthropic(): Promise<number> {
  const server = createServer((req, res) => {
    modelCalls.push({
      path: req.url ?? '',
      apiKey: req.headers['x-api-key'] as string | undefined,
      authorization: req.headers.authorization,
    });
    req.resume();
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.end('event: message_stop\ndata: {"type":"message_stop"}\n\n');
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

async function recordingServer(paths: string[]): Promise<number> {
  const server = createServer((req, res) => {
    paths.push(req.url ?? '');
    res.end('hello');
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(path)));
    else if (entry.isFile()) out.push(path);
  }
  return out;
}

function stringLeaves(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) stringLeaves(v, out);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) stringLeaves(v, out);
  return out;
}

beforeAll(async () => {
  if (!findBwrap())
    throw new Error("bubblewrap (bwrap) is not installed: run scripts/ensure-test-tools.sh (Debian's bubblewrap)");
  root = await mkdtemp(join(tmpdir(), 'ai-implement-security-'));
  loot = join(root, 'loot');
  const dataDir = join(root, 'data');
  await mkdir(loot);
  await mkdir(dataDir);
  await writeFile(join(dataDir, 'store.json'), JSON.stringify({ secret: secrets.dataSecret }), { mode: 0o600 });
  const forge = createLocalForge({ root: join(root, 'repos') });
  bare = (await forge.createRepository({ owner: 'acme', repo: 'app' }, 'main', TARGET_FILES))._unsafeUnwrap();
  await forge.close();
  // The repository is hostile too: its WORKFLOW.md is a link to a host file, which the session
  // (outside the sandbox) must not follow into the agent's prompt.
  const work = join(root, 'commit');
  const gitIn = (...args: string[]) => execFileSync('git', ['-C', work, ...args], { stdio: 'pipe' });
  execFileSync('git', ['clone', '--quiet', bare, work], { stdio: 'pipe' });
  await rm(join(work, 'WORKFLOW.md'));
  await symlink(join(dataDir, 'store.json'), join(work, 'WORKFLOW.md'));
  gitIn('add', '-A');
  gitIn('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '--quiet', '-m', 'workflow is a link');
  gitIn('push', '--quiet', 'origin', 'HEAD:main');
  server = await startFakeCallbackServer({
    resultToken: secrets.resultToken,
    progressToken: secrets.progressToken,
    nonce: secrets.nonce,
  });

  ports.allowed = await recordingServer(reached.allowed);
  ports.blocked = await recordingServer(reached.blocked);
  ports.model = await fakeAnthropic();
  bedrock = await startFakeBedrockRuntime({ credentials: { [model.awsKeyId]: model.awsSecret } });

  const handed = handOffCredentials({
    AI_IMPLEMENT_RESULT_TOKEN: secrets.resultToken,
    AI_IMPLEMENT_PROGRESS_TOKEN: secrets.progressToken,
    AI_IMPLEMENT_NONCE: secrets.nonce,
  });
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? root,
    ...handed.env,
    AI_IMPLEMENT_JOB_ID: 'job-hostile',
    AI_IMPLEMENT_PHASE: 'implementation',
    AI_IMPLEMENT_ISSUE: 'ENG-13',
    AI_IMPLEMENT_CALLBACK_URL: server.url,
    AI_IMPLEMENT_OWNER: 'acme',
    AI_IMPLEMENT_REPO: 'app',
    AI_IMPLEMENT_FORGE: 'local',
    AI_IMPLEMENT_REPO_URL: bare,
    AI_IMPLEMENT_WORKSPACE_DIR: join(root, 'workspaces'),
    AI_IMPLEMENT_AGENT_COMMAND: JSON.stringify([process.execPath, HOSTILE, '-p', '{prompt}']),
    AI_IMPLEMENT_SANDBOX_READ_ONLY: `${dirname(HOSTILE)}:${dirname(PROBE)}`,
    AI_IMPLEMENT_EGRESS_ALLOW: `127.0.0.1:${ports.allowed}`,
    HOSTILE_NET: JSON.stringify({ blocked: `127.0.0.1:${ports.blocked}`, allowed: `127.0.0.1:${ports.allowed}` }),
    AI_IMPLEMENT_SANDBOX_READ_WRITE: loot,
    RUNNER_TOKEN_SECRET: secrets.runnerSecret,
    ADMIN_ACCESS_CODE: secrets.adminCode,
    ANTHROPIC_API_KEY: apiKey,
    ANTHROPIC_BASE_URL: `http://127.0.0.1:${ports.model}`,
    ANTHROPIC_AUTH_TOKEN: model.authToken,
    CLAUDE_CODE_OAUTH_TOKEN: model.oauthToken,
    CLAUDE_CODE_USE_BEDROCK: '1',
    AWS_ACCESS_KEY_ID: model.awsKeyId,
    AWS_SECRET_ACCESS_KEY: model.awsSecret,
    AWS_SESSION_TOKEN: model.awsSessionToken,
    AWS_REGION: 'eu-west-3',
    ANTHROPIC_BEDROCK_BASE_URL: bedrock.url,
    HOSTILE_LOOT: loot,
    HOSTILE_PROBES: JSON.stringify([
      join(dataDir, 'store.json'),
      dataDir,
      root,
      join(root, 'repos'),
      join(CHECKOUT, 'package.json'),
      CHECKOUT,
      process.env.HOME ?? '/root',
      handed.env.AI_IMPLEMENT_CREDENTIALS_FILE ?? '',
      '/proc/1/environ',
      SANDBOX_MODEL_DIR,
      `${SANDBOX_MODEL_DIR}/forwarder.cjs`,
    ]),
  };
  const child = spawn(process.execPath, ['--import', 'tsx', 'hosts/cli/main.ts', 'session'], {
    cwd: CHECKOUT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (c: Buffer) => (sessionOutput += c.toString()));
  child.stderr.on('data', (c: Buffer) => (sessionOutput += c.toString()));
  exitCode = await new Promise<number | null>((resolve) => child.once('close', resolve));
  handed.cleanup();
}, 180_000);

afterAll(async () => {
  await server?.close();
  await bedrock?.close();
  for (const s of servers) await new Promise((resolve) => s.close(resolve));
  if (root) await rm(root, { recursive: true, force: true });
});

describe('a hostile agent in the sandbox', () => {
  it('ran, tried everything, and the run still finished', async () => {
    expect(sessionOutput).toContain('result success');
    expect(exitCode).toBe(0);
    const files = (await readdir(loot)).sort();
    // The agent ran (more than once: implement, fix, review) and the hostile verify script ran too.
    expect(files.filter((f) => f.startsWith('agent-')).length).toBeGreaterThanOrEqual(2);
    expect(files.some((f) => f.startsWith('dump.sh-'))).toBe(true);
  });

  it('collected no credential: not from /proc, the environment, DATA_DIR, the checkout or git', async () => {
    const stolen = await Promise.all((await filesUnder(loot)).map((f) => readFile(f, 'latin1')));
    expect(stolen.length).toBeGreaterThan(0);
    // Its prompts were collected too (the repository's WORKFLOW.md links to DATA_DIR's store).
    expect((await readdir(loot)).some((f) => f.startsWith('prompt-'))).toBe(true);
    const all = stolen.join('\n');
    expect(leakedIn(all, [...Object.values(secrets), ...modelSecrets])).toEqual([]);
    const agent = JSON.parse(stolen.find((s) => s.startsWith('{"env"')) ?? '{}') as {
      env: Record<string, string>;
      parentEnviron: string;
      status: string;
      proc: Record<string, { environ: string }>;
    };
    // No capability, though this session may run as root.
    expect(agent.status).toMatch(/CapEff:\s+0+\n/);
    // Its parent is the sandbox's own init, which holds the agent's environment and no more.
    expect(agent.parentEnviron).not.toContain('AI_IMPLEMENT_');
    // Only the few processes of the sandbox (its init, the proxies' forwarders, the agent's own).
    expect(Object.keys(agent.proc).length, Object.keys(agent.proc).join(' ')).toBeLessThan(10);
    expect(Object.keys(agent.proc)).toContain('1');
    expect(Object.keys(agent.env).filter((k) => k.startsWith('AI_IMPLEMENT_') || k.startsWith('GIT_CONFIG'))).toEqual([]);
    // The model key and tokens are placeholders; the API is the session's proxy, on the sandbox's loopback.
    expect(agent.env.ANTHROPIC_API_KEY).toBe(MODEL_KEY_PLACEHOLDER);
    expect(agent.env.ANTHROPIC_AUTH_TOKEN).toBe(MODEL_AUTH_TOKEN_PLACEHOLDER);
    expect(agent.env.CLAUDE_CODE_OAUTH_TOKEN).toBe(MODEL_OAUTH_TOKEN_PLACEHOLDER);
    expect(agent.env.ANTHROPIC_BASE_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(agent.env.ANTHROPIC_BASE_URL).not.toBe(`http://127.0.0.1:${ports.model}`);
    // Bedrock: no AWS key, its auth skipped, and its runtime is the same proxy.
    expect(Object.keys(agent.env).filter((k) => k.startsWith('AWS_'))).toEqual(['AWS_REGION']);
    expect(agent.env.CLAUDE_CODE_SKIP_BEDROCK_AUTH).toBe('1');
    expect(agent.env.ANTHROPIC_BEDROCK_BASE_URL).toBe(agent.env.ANTHROPIC_BASE_URL);
  });

  it('reached the model API through the session proxy, which added the key and tokens the sandbox never held', async () => {
    const answers = (await readdir(loot))
      .filter((f) => f.startsWith('model-'))
      .flatMap(
        (f) =>
          (
            JSON.parse(readFileSync(join(loot, f), 'utf8')) as {
              answers: { label: string; path: string; status?: number; body?: string }[];
            }
          ).answers,
      );
    expect(answers.length).toBeGreaterThanOrEqual(12);
    const labelled = (label: string) => answers.filter((a) => a.label === label);
    for (const label of ['key', 'ANTHROPIC_AUTH_TOKEN', 'CLAUDE_CODE_OAUTH_TOKEN', 'bedrock']) {
      expect(labelled(label).length, label).toBeGreaterThanOrEqual(2);
      expect(labelled(label).every((a) => a.status === 200 && a.body?.includes('message_stop'))).toBe(true);
    }
    expect(labelled('not the API').length).toBeGreaterThanOrEqual(4);
    expect(labelled('not the API').every((a) => a.status === 404)).toBe(true);
    // Every request the API got carried the real key as x-api-key, and a Bearer only where the
    // agent named a token's placeholder: that token, real; none of the other paths arrived.
    expect(modelCalls.length).toBeGreaterThanOrEqual(6);
    expect(new Set(modelCalls.map((c) => JSON.stringify(c)))).toEqual(
      new Set(
        [undefined, `Bearer ${model.authToken}`, `Bearer ${model.oauthToken}`].map((authorization) =>
          JSON.stringify({ path: '/v1/messages', apiKey, authorization }),
        ),
      ),
    );
    // Bedrock's runtime got each call signed with the real keys (checked with the secret), and nothing else.
    expect(bedrock.requests.length).toBeGreaterThanOrEqual(2);
    for (const request of bedrock.requests) {
      expect(request.path).toBe('/model/anthropic.claude-sonnet-4-5-20250929-v1%3A0/invoke-with-response-stream');
      expect(request.signature).toEqual({ accessKeyId: model.awsKeyId, region: 'eu-west-3', service: 'bedrock' });
      expect(request.headers['x-amz-security-token']).toBe(model.awsSessionToken);
    }
  });

  it("pushed to the real remote, never to the agent's pushurl or insteadOf", async () => {
    const attacker = join(loot, 'attacker.git');
    expect((await stat(attacker)).isDirectory()).toBe(true);
    expect(execFileSync('git', ['-C', attacker, 'for-each-ref'], { encoding: 'utf8' }).trim()).toBe('');
    expect(execFileSync('git', ['-C', bare, 'for-each-ref', '--format=%(refname)'], { encoding: 'utf8' })).toContain(
      'refs/heads/ai-implement/ENG-13',
    );
  });

  it('let no form of any secret reach the ticket, the step history, the result or the log', () => {
    const everything = [...Object.values(secrets), ...modelSecrets];
    for (const call of server.calls) {
      // The nonce field is the callback's own authentication, for the orchestrator only.
      const { nonce: _auth, ...body } = (call.body ?? {}) as Record<string, unknown>;
      const texts = [JSON.stringify(body), ...stringLeaves(body)];
      for (const text of texts)
        expect({ path: call.path, leaked: leakedIn(text, everything) }).toEqual({ path: call.path, leaked: [] });
    }
    expect(leakedIn(sessionOutput, everything)).toEqual([]);
    // And they did carry the agent's key, in its many encodings, redacted.
    expect(JSON.stringify(server.calls.map((c) => c.body))).toContain('[REDACTED]');
    // The attack did reach them: the verify failure and the agent's answers were reported.
    expect(server.events().join('\n')).toMatch(/verification/i);
  });

  it('reached the allow-listed host through the proxy and nothing else, and the ticket says what was blocked', async () => {
    const tries = (await readdir(loot)).filter((f) => f.startsWith('net-')).map((f) => readFileSync(join(loot, f), 'utf8'));
    expect(tries.length).toBeGreaterThanOrEqual(2);
    const results = tries.flatMap((t) =>
      t
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { how: string; target: string; ok: boolean; status?: number; error?: string }),
    );
    const blocked = `127.0.0.1:${ports.blocked}`;
    for (const r of results.filter((r) => r.target !== `127.0.0.1:${ports.allowed}`)) expect(r.ok, JSON.stringify(r)).toBe(false);
    expect(results.find((r) => r.how === 'direct')?.error).toBe('ECONNREFUSED');
    expect(results.filter((r) => r.how !== 'direct' && r.target === blocked).every((r) => r.status === 403)).toBe(true);
    expect(results.filter((r) => r.target === `127.0.0.1:${ports.allowed}`).every((r) => r.ok)).toBe(true);
    expect(reached.blocked).toEqual([]);
    expect(reached.allowed).toContain('/via-proxy');
    expect(reached.allowed).toContain('/tunnel');

    const result = server.to('/runner/result')[0]?.body as { comments: { body: string }[] };
    const comment = result.comments.map((c) => c.body).find((b) => b.startsWith('🚧 Blocked network requests')) ?? '';
    expect(comment).toContain(`\`GET ${blocked}\``);
    expect(comment).toContain(`\`CONNECT ${blocked}\``);
    // The host name that carried the key is named too, with the key redacted.
    expect(comment).toMatch(/`CONNECT \S*\.evil\.example:443`/);
    expect(sessionOutput).toContain(`egress blocked: CONNECT ${blocked}`);
  });
});
