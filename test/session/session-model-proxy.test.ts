import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  MODEL_AUTH_TOKEN_PLACEHOLDER,
  MODEL_KEY_PLACEHOLDER,
  MODEL_OAUTH_TOKEN_PLACEHOLDER,
  MODEL_SOCKET,
} from '../../adapters/sandbox/model-key-proxy.js';
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

  it('is not started without a model credential (Bedrock without AWS keys, AWS keys without Bedrock)', async () => {
    for (const env of [
      { CLAUDE_CODE_USE_BEDROCK: '1', AWS_REGION: 'us-east-1' },
      { AWS_ACCESS_KEY_ID: 'AKIAFORTESTS', AWS_SECRET_ACCESS_KEY: 'for-the-tests-own-s3', AWS_REGION: 'us-east-1' },
      { CLAUDE_CODE_USE_BEDROCK: '0', AWS_ACCESS_KEY_ID: 'AKIAFORTESTS', AWS_SECRET_ACCESS_KEY: 'for-the-tests-own-s3' },
    ]) {
      const config = readSessionEnv({ ...RUN, ...env })._unsafeUnwrap();
      expect(await startSessionModelProxy(config)).toBeUndefined();
    }
  });

  it('keeps ANTHROPIC_AUTH_TOKEN and CLAUDE_CODE_OAUTH_TOKEN, leaving their placeholders in the same variables', async () => {
    const authToken = 'gateway-token-session-model-proxy-test';
    const oauthToken = 'sk-ant-oat01-session-model-proxy-test';
    const config = readSessionEnv({
      ...RUN,
      ANTHROPIC_AUTH_TOKEN: authToken,
      CLAUDE_CODE_OAUTH_TOKEN: oauthToken,
    })._unsafeUnwrap();
    const started = await startSessionModelProxy(config);
    try {
      expect(started?.agentEnv).toEqual({
        PATH: '/usr/bin:/bin',
        ANTHROPIC_AUTH_TOKEN: MODEL_AUTH_TOKEN_PLACEHOLDER,
        CLAUDE_CODE_OAUTH_TOKEN: MODEL_OAUTH_TOKEN_PLACEHOLDER,
      });
      expect(started?.secrets.sort()).toEqual([authToken, oauthToken].sort());
      expect(started?.baseUrls).toEqual(['ANTHROPIC_BASE_URL']);
    } finally {
      await started?.proxy.close();
    }
  });

  it("takes Bedrock's AWS keys (or API key) and base out of the agent's environment, which skips Bedrock's auth", async () => {
    const aws = {
      AWS_ACCESS_KEY_ID: 'AKIASESSIONMODELPROXY',
      AWS_SECRET_ACCESS_KEY: 'session-model-proxy-test-secret-access-key',
      AWS_SESSION_TOKEN: 'session-model-proxy-test-session-token',
    };
    const gateway = 'https://bedrock.gateway.example/v1';
    const config = readSessionEnv({
      ...RUN,
      ...aws,
      CLAUDE_CODE_USE_BEDROCK: 'true',
      AWS_REGION: 'eu-central-1',
      ANTHROPIC_BEDROCK_BASE_URL: gateway,
    })._unsafeUnwrap();
    const started = await startSessionModelProxy(config);
    try {
      expect(started?.agentEnv).toEqual({
        PATH: '/usr/bin:/bin',
        CLAUDE_CODE_USE_BEDROCK: 'true',
        CLAUDE_CODE_SKIP_BEDROCK_AUTH: '1',
        AWS_REGION: 'eu-central-1',
      });
      expect(started?.secrets.sort()).toEqual([...Object.values(aws), gateway].sort());
      expect(started?.baseUrls).toEqual(['ANTHROPIC_BEDROCK_BASE_URL']);
    } finally {
      await started?.proxy.close();
    }
    const keyed = readSessionEnv({
      ...RUN,
      CLAUDE_CODE_USE_BEDROCK: '1',
      AWS_BEARER_TOKEN_BEDROCK: 'session-model-proxy-test-bedrock-api-key',
    })._unsafeUnwrap();
    const withKey = await startSessionModelProxy(keyed);
    try {
      expect(withKey?.agentEnv).toEqual({
        PATH: '/usr/bin:/bin',
        CLAUDE_CODE_USE_BEDROCK: '1',
        CLAUDE_CODE_SKIP_BEDROCK_AUTH: '1',
      });
      expect(withKey?.secrets).toEqual(['session-model-proxy-test-bedrock-api-key']);
    } finally {
      await withKey?.proxy.close();
    }
    const odd = readSessionEnv({ ...RUN, ...aws, CLAUDE_CODE_USE_BEDROCK: '1', AWS_REGION: 'x.evil.example/' })._unsafeUnwrap();
    await expect(startSessionModelProxy(odd)).rejects.toThrow(/AWS_REGION is not a region name/);
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
      expect(started.secrets).toEqual([KEY, base]);
      expect(started.baseUrls).toEqual(['ANTHROPIC_BASE_URL']);
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
