import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentInstallDirs } from '../../adapters/sandbox/agent-install.js';
import { createBwrapSandbox, findBwrap } from '../../adapters/sandbox/bwrap.sandbox.js';
import { startEgressProxy } from '../../adapters/sandbox/egress-proxy.js';
import { MODEL_SOCKET, type ModelKeyProxy, startModelKeyProxy } from '../../adapters/sandbox/model-key-proxy.js';
import { createShell } from '../../hosts/session/shell.js';
import { type FakeBedrockRuntime, startFakeBedrockRuntime } from '../fakes/bedrock/fake-bedrock-runtime.js';
import { leakedIn } from '../security/leak-detector.js';

/**
 * The model proxy's Bedrock side against a loopback fake of Bedrock's runtime that checks
 * every SigV4 signature with the secret (by hand, `sigv4.ts`, not with the signer the proxy
 * uses): the sandbox sends no credential and the request arrives signed with the session's
 * keys, model ids in any encoding, answers streaming through as they are written, and a
 * real bubblewrap sandbox reaches it while nothing it can read holds a key.
 */

const PROBE = fileURLToPath(new URL('../fakes/network/model-probe.cjs', import.meta.url));
const PATH = process.env.PATH ?? '/usr/bin:/bin';
const keys = {
  accessKeyId: `AKIA${randomBytes(8).toString('hex').toUpperCase()}`,
  secretAccessKey: randomBytes(30).toString('base64'),
  sessionToken: `IQoJb3JpZ2luX2Vj${randomBytes(40).toString('base64')}`,
};
/** A Bedrock API key (`AWS_BEARER_TOKEN_BEDROCK`). */
const apiKey = `ABSKQmVkcm9ja0FQSUtleS${randomBytes(30).toString('base64')}`;
const real = [...Object.values(keys), apiKey];
const REGION = 'eu-west-3';
const SONNET = 'anthropic.claude-sonnet-4-5-20250929-v1:0';

let fake: FakeBedrockRuntime;
let proxy: ModelKeyProxy;
let root = '';

/** A request over the proxy's unix socket (what the forwarder in the sandbox relays); `onFirst` at the first chunk of the answer. */
function ask(
  through: ModelKeyProxy,
  path: string,
  headers: Record<string, string> = {},
  body = '{"messages":[]}',
  onFirst?: () => void,
) {
  return new Promise<{ status: number; chunks: string[] }>((resolve, reject) => {
    const req = httpRequest({ socketPath: join(through.dir, MODEL_SOCKET), path, method: 'POST', headers }, (res) => {
      const chunks: string[] = [];
      res.on('data', (c: Buffer) => {
        chunks.push(c.toString());
        if (chunks.length === 1) onFirst?.();
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, chunks }));
    });
    req.on('error', reject);
    req.setTimeout(5000, () => req.destroy(new Error('no answer (held back?)')));
    req.end(body);
  });
}

const signedBy = (r: FakeBedrockRuntime['requests'][number] | undefined) => r?.signature;

beforeAll(async () => {
  fake = await startFakeBedrockRuntime({
    credentials: { [keys.accessKeyId]: keys.secretAccessKey },
    apiKeys: [apiKey],
    holdStreams: true,
  });
  proxy = await startModelKeyProxy({ bedrock: { upstream: fake.url, region: REGION, keys } });
  root = await mkdtemp(join(tmpdir(), 'ai-implement-bedrock-'));
});
afterAll(async () => {
  await proxy?.close();
  await fake?.close();
  if (root) await rm(root, { recursive: true, force: true });
});

describe("the model proxy's Bedrock signing", () => {
  it('signs each model call with the real keys, for the region and service bedrock, in place of what the sandbox sent', async () => {
    fake.requests.length = 0;
    const body = '{"anthropic_version":"bedrock-2023-05-31","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}';
    const r = await ask(
      proxy,
      `/model/${encodeURIComponent(SONNET)}/invoke`,
      {
        'content-type': 'application/json',
        'anthropic-version': '2023-06-01',
        authorization: 'AWS4-HMAC-SHA256 Credential=AKIASANDBOX/20250101/us-east-1/bedrock/aws4_request',
        'x-amz-date': '20000101T000000Z',
        'x-amz-security-token': 'the-sandbox-own',
        'x-api-key': 'the-sandbox-own',
        host: 'evil.example',
      },
      body,
    );
    expect(r.status, r.chunks.join('')).toBe(200);
    expect(JSON.parse(r.chunks.join(''))).toEqual({ type: 'message', model: SONNET });
    expect(fake.requests).toHaveLength(1);
    const [sent] = fake.requests;
    expect(signedBy(sent)).toEqual({ accessKeyId: keys.accessKeyId, region: REGION, service: 'bedrock' });
    expect(sent?.headers['x-amz-security-token']).toBe(keys.sessionToken);
    expect(sent?.headers['x-amz-date']).not.toBe('20000101T000000Z');
    expect(sent?.headers['x-api-key']).toBeUndefined();
    expect(sent?.headers['anthropic-version']).toBe('2023-06-01');
    expect(sent?.headers.host).toBe(new URL(fake.url).host);
    expect(sent?.body).toBe(body);
    expect(leakedIn(r.chunks.join(''), real)).toEqual([]);
  });

  it('signs a model id sent raw or encoded, and an inference profile ARN, as AWS reads them', async () => {
    fake.requests.length = 0;
    const arn = 'arn:aws:bedrock:eu-west-3:123456789012:application-inference-profile/a1b2c3';
    for (const path of [`/model/${SONNET}/invoke`, `/model/${encodeURIComponent(arn)}/invoke`]) {
      expect({ path, status: (await ask(proxy, path)).status }).toEqual({ path, status: 200 });
    }
    expect(fake.requests.map((r) => ({ path: r.path, signature: signedBy(r) }))).toEqual([
      {
        path: '/model/anthropic.claude-sonnet-4-5-20250929-v1%3A0/invoke',
        signature: expect.objectContaining({ service: 'bedrock' }),
      },
      { path: `/model/${encodeURIComponent(arn)}/invoke`, signature: expect.objectContaining({ service: 'bedrock' }) },
    ]);
  });

  it('streams the answer as it comes: the first event arrives before the second is written', async () => {
    const r = await ask(proxy, `/model/${encodeURIComponent(SONNET)}/invoke-with-response-stream`, {}, '{"messages":[]}', () =>
      fake.release(),
    );
    expect(r.status).toBe(200);
    expect(r.chunks[0]).toBe(`event 1 of ${SONNET}\n`);
    expect(r.chunks.join('')).toBe(`event 1 of ${SONNET}\nevent 2 message_stop\n`);
  });

  it("keeps a gateway's base path (ANTHROPIC_BEDROCK_BASE_URL) inside what it signs", async () => {
    fake.requests.length = 0;
    const gateway = await startModelKeyProxy({ bedrock: { upstream: `${fake.url}/bedrock/`, region: REGION, keys } });
    try {
      expect((await ask(gateway, `/model/${encodeURIComponent(SONNET)}/invoke`)).status).toBe(200);
      expect(fake.requests.map((r) => ({ path: r.path, signature: signedBy(r) }))).toEqual([
        {
          path: '/bedrock/model/anthropic.claude-sonnet-4-5-20250929-v1%3A0/invoke',
          signature: expect.objectContaining({ region: REGION }),
        },
      ]);
    } finally {
      await gateway.close();
    }
  });

  it('is checked for real: a wrong secret is refused as AWS refuses it', async () => {
    fake.requests.length = 0;
    const wrong = await startModelKeyProxy({
      bedrock: { upstream: fake.url, region: REGION, keys: { ...keys, secretAccessKey: `${keys.secretAccessKey}x` } },
    });
    try {
      expect((await ask(wrong, `/model/${encodeURIComponent(SONNET)}/invoke`)).status).toBe(403);
      expect(signedBy(fake.requests[0])).toEqual({ refused: 'InvalidSignatureException' });
    } finally {
      await wrong.close();
    }
  });

  it('sends a Bedrock API key (AWS_BEARER_TOKEN_BEDROCK) as a Bearer authorization instead of a signature, as the SDK does', async () => {
    fake.requests.length = 0;
    const keyed = await startModelKeyProxy({ bedrock: { upstream: fake.url, region: REGION, keys, bearerToken: apiKey } });
    try {
      const r = await ask(keyed, `/model/${encodeURIComponent(SONNET)}/invoke`, { authorization: 'Bearer the-sandbox-own' });
      expect(r.status).toBe(200);
      expect(fake.requests.map(signedBy)).toEqual([{ bearer: apiKey }]);
      expect(fake.requests[0]?.headers['x-amz-security-token']).toBeUndefined();
      expect(leakedIn(r.chunks.join(''), real)).toEqual([]);
    } finally {
      await keyed.close();
    }
  });

  it('answers 404 for anything but a model call (and for the Anthropic API, which it was not given), forwarding none', async () => {
    fake.requests.length = 0;
    for (const path of [
      '/v1/messages',
      '/foundation-models',
      '/async-invoke',
      '/guardrail/g1/version/1/apply',
      '/model/x/invoke/extra',
      '/model/x/../../foundation-models',
      '/model/%2e%2e/invoke',
      '/model/x%2Finvoke',
      '/model//invoke',
    ]) {
      expect({ path, status: (await ask(proxy, path)).status }).toEqual({ path, status: 404 });
    }
    expect(fake.requests).toEqual([]);
  });

  it('keeps no key in its directory', async () => {
    for (const name of await readdir(proxy.dir)) {
      if (name === MODEL_SOCKET) continue;
      expect(leakedIn(await readFile(join(proxy.dir, name), 'latin1'), real)).toEqual([]);
    }
  });
});

describe('Bedrock through the model proxy, from a bubblewrap sandbox', () => {
  it('reaches the runtime signed, with no AWS key in anything it can read', async () => {
    if (!findBwrap())
      throw new Error("bubblewrap (bwrap) is not installed: run scripts/ensure-test-tools.sh (Debian's bubblewrap)");
    fake.requests.length = 0;
    const egress = await startEgressProxy({ rules: [] });
    try {
      const workspace = await mkdtemp(join(root, 'workspace-'));
      const sandbox = createBwrapSandbox({
        readOnly: [dirname(PROBE), ...agentInstallDirs(process.execPath, PATH)],
        modelApi: { dir: proxy.dir, node: process.execPath, baseUrls: ['ANTHROPIC_BEDROCK_BASE_URL'] },
        egress: { dir: egress.dir, node: process.execPath },
      });
      // The stream is held until the proxy has relayed its first event: let it go at once here.
      const releasing = setInterval(() => fake.release(), 20);
      // As the agent asks (`modelApi`): the shell hands the request to the sandbox as it is.
      const command = {
        argv: [process.execPath, PROBE],
        cwd: workspace,
        env: { PATH, CLAUDE_CODE_USE_BEDROCK: '1', CLAUDE_CODE_SKIP_BEDROCK_AUTH: '1', AWS_REGION: REGION },
        timeoutMs: 20_000,
        modelApi: true,
      };
      const r = await createShell({ sandbox, killGraceMs: 300 })
        .run(command)
        .finally(() => clearInterval(releasing));
      expect(r.exitCode, r.output).toBe(0);
      const inside = JSON.parse(r.output) as {
        env: Record<string, string>;
        files: Record<string, string>;
        status?: number;
        answer: string;
      };
      expect(Object.keys(inside.files)).toContain('/proc/1/environ');
      expect(Object.keys(inside.files)).toContain('/run/ai-implement-model/forwarder.cjs');
      expect(inside.env.ANTHROPIC_BEDROCK_BASE_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(inside.env.ANTHROPIC_BASE_URL).toBeUndefined();
      expect(inside.status).toBe(200);
      expect(inside.answer).toBe(`event 1 of ${SONNET}\nevent 2 message_stop\n`);
      expect(fake.requests.map(signedBy)).toEqual([{ accessKeyId: keys.accessKeyId, region: REGION, service: 'bedrock' }]);
      expect(leakedIn(r.output, real)).toEqual([]);
    } finally {
      await egress.close();
    }
  });
});
