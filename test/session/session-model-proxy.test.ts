import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MODEL_KEY_PLACEHOLDER, MODEL_SOCKET } from '../../adapters/sandbox/model-key-proxy.js';
import { readSessionEnv } from '../../hosts/session/session-env.js';
import { startSessionModelProxy } from '../../hosts/session/session-model-proxy.js';
import { SESSION_RUN_ENV } from './session-run-env.js';

const RUN = { ...SESSION_RUN_ENV, PATH: '/usr/bin:/bin' };
const KEY = 'sk-ant-api03-session-model-proxy-test-key';

describe("the session's model key proxy", () => {
  it('is not started with AI_IMPLEMENT_SANDBOX=off: the agent keeps its key, as before', async () => {
    const config = readSessionEnv({ ...RUN, AI_IMPLEMENT_SANDBOX: 'off', ANTHROPIC_API_KEY: KEY })._unsafeUnwrap();
    expect(await startSessionModelProxy(config)).toBeUndefined();
    expect(config.agentEnv.ANTHROPIC_API_KEY).toBe(KEY);
  });

  it('is not started without ANTHROPIC_API_KEY (Bedrock keeps its AWS variables as they are)', async () => {
    const config = readSessionEnv({ ...RUN, CLAUDE_CODE_USE_BEDROCK: '1', AWS_REGION: 'us-east-1' })._unsafeUnwrap();
    expect(await startSessionModelProxy(config)).toBeUndefined();
  });

  it("takes the key and the mapping's ANTHROPIC_BASE_URL out of the agent's environment, and forwards to that base", async () => {
    const paths: { path: string; key: string | undefined }[] = [];
    const api = createServer((req, res) => {
      paths.push({ path: req.url ?? '', key: req.headers['x-api-key'] as string | undefined });
      res.end('{}');
    });
    await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(api.address() as AddressInfo).port}/gateway`;
    const config = readSessionEnv({ ...RUN, ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: base, EXTRA: 'kept' })._unsafeUnwrap();
    const started = await startSessionModelProxy(config);
    try {
      expect(started).toBeDefined();
      if (!started) return;
      expect(started.apiKey).toBe(KEY);
      expect(started.agentEnv).toEqual({ PATH: '/usr/bin:/bin', EXTRA: 'kept', ANTHROPIC_API_KEY: MODEL_KEY_PLACEHOLDER });
      const status = await new Promise<number>((resolve, reject) => {
        const req = httpRequest({ socketPath: join(started.proxy.dir, MODEL_SOCKET), path: '/v1/models' }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end();
      });
      expect(status).toBe(200);
      expect(paths).toEqual([{ path: '/gateway/v1/models', key: KEY }]);
    } finally {
      await started?.proxy.close();
      await new Promise((r) => api.close(r));
    }
  });
});
