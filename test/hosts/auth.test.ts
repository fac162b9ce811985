import { afterEach, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN_SALT_SETTING, ADMIN_TOKEN_TTL_MS } from '../../hosts/http/admin-auth.service.js';
import { ACCESS_CODE, type Harness, jsonOf, STORAGE_KINDS, startHarness, T0 } from './harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('POST /api/auth', () => {
  it('exchanges the access code for a bearer token valid 24 hours', async () => {
    h = await startHarness();
    const res = await h.call('POST', '/api/auth', { body: { code: ACCESS_CODE } });
    expect(res.status).toBe(200);
    const body = await jsonOf(res);
    expect(Object.keys(body).sort()).toEqual(['expiresAt', 'token']);
    expect(body.expiresAt).toBe(new Date(T0 + ADMIN_TOKEN_TTL_MS).toISOString());
    expect(typeof body.token).toBe('string');
    expect(JSON.stringify(body)).not.toContain(ACCESS_CODE);
  });

  it('accepts the code as accessCode too', async () => {
    h = await startHarness();
    const res = await h.call('POST', '/api/auth', { body: { accessCode: ACCESS_CODE } });
    expect(res.status).toBe(200);
  });

  it.each<[string, string]>([
    ['not JSON', '{"code":'],
    ['an array', JSON.stringify([ACCESS_CODE])],
    ['a bare string', JSON.stringify(ACCESS_CODE)],
    ['null', 'null'],
    ['empty', ''],
  ])('answers 400 Invalid request body for %s', async (_name, raw) => {
    h = await startHarness();
    const res = await h.call('POST', '/api/auth', { raw });
    expect(res.status).toBe(400);
    expect(await jsonOf(res)).toEqual({ error: 'Invalid request body' });
  });

  // The spec keeps 400 for a body that does not parse; a parsed object without the code is a code that does not match.
  it.each<[string, string]>([
    ['a numeric code', JSON.stringify({ code: 12345 })],
    ['no code at all', JSON.stringify({ password: ACCESS_CODE })],
  ])('answers 403 Invalid access code for %s', async (_name, raw) => {
    h = await startHarness();
    const res = await h.call('POST', '/api/auth', { raw });
    expect(res.status).toBe(403);
    expect(await jsonOf(res)).toEqual({ error: 'Invalid access code' });
  });

  it.each(['wrong', '', `${ACCESS_CODE} `, ACCESS_CODE.toUpperCase(), ACCESS_CODE.slice(0, -1)])(
    'answers 403 Invalid access code for %j',
    async (code) => {
      h = await startHarness();
      const res = await h.call('POST', '/api/auth', { body: { code } });
      expect(res.status).toBe(403);
      expect(await jsonOf(res)).toEqual({ error: 'Invalid access code' });
    },
  );
});

describe('the admin bearer token', () => {
  it('opens /api routes; missing, malformed, tampered or expired tokens get 401 Unauthorized', async () => {
    h = await startHarness();
    const token = await h.login();
    expect((await h.call('GET', '/api/mappings', { token })).status).toBe(200);

    const [prefix, id, signature] = token.split('.') as [string, string, string];
    const flip = (s: string) => (s[0] === 'A' ? `B${s.slice(1)}` : `A${s.slice(1)}`);
    const rejected = [
      undefined,
      '',
      'garbage',
      `${prefix}.${flip(id)}.${signature}`, // another session id
      `v1.${Date.now() + 1000}.${id}.${signature}`, // the earlier, stateless format
      `${prefix}.${id}`,
      `${token}.extra`,
      `${prefix}.${id}.${flip(signature)}`,
    ];
    for (const bad of rejected) {
      const res = await h.call('GET', '/api/mappings', bad === undefined ? {} : { headers: { authorization: `Bearer ${bad}` } });
      expect(res.status, `token ${bad}`).toBe(401);
      expect(await jsonOf(res)).toEqual({ error: 'Unauthorized' });
    }
    // The right token in the wrong scheme is not a bearer token.
    expect((await h.call('GET', '/api/mappings', { headers: { authorization: `Basic ${token}` } })).status).toBe(401);
    expect((await h.call('GET', '/api/mappings', { headers: { authorization: token } })).status).toBe(401);
  });

  it('expires after 24 hours', async () => {
    h = await startHarness();
    const token = await h.login();
    h.clock.advance(ADMIN_TOKEN_TTL_MS - 1);
    expect((await h.call('GET', '/api/mappings', { token })).status).toBe(200);
    h.clock.advance(1);
    const res = await h.call('GET', '/api/mappings', { token });
    expect(res.status).toBe(401);
    expect(await jsonOf(res)).toEqual({ error: 'Unauthorized' });
  });

  it('guards unknown /api paths and every method, but not /api/auth or /healthz', async () => {
    h = await startHarness();
    for (const [method, path] of [
      ['GET', '/api/nothing-here'],
      ['DELETE', '/api/mappings/ENG'],
      ['PATCH', '/api/mappings/ENG'],
      ['POST', '/api/mappings'],
      ['GET', '/api/v1/state'],
      ['GET', '/api'],
      ['GET', '/api/mappings/'],
      ['GET', '/api/./mappings'],
      ['GET', '/api/token/../mappings'],
      ['GET', '/api/%6dappings'],
    ] as const) {
      const res = await h.call(method, path, { body: {} });
      expect(res.status, `${method} ${path}`).toBe(401);
    }
    expect((await h.call('GET', '/healthz')).status).toBe(200);
  });

  it('leaves the self-authenticating runner and webhook endpoints to their own checks', async () => {
    h = await startHarness();
    for (const path of ['/api/token', '/api/status', '/api/step-report', '/api/github/webhook']) {
      const res = await h.call('POST', path, { body: {} });
      // The guard lets the request through: the endpoint answers with its own check, never 401.
      expect(res.status, path).not.toBe(401);
    }
    const own = {
      '/api/token': 'nonce and owner are required',
      '/api/status': 'nonce is required',
      '/api/step-report': 'nonce is required',
    };
    for (const [path, error] of Object.entries(own)) {
      const res = await h.call('POST', path, { body: {} });
      expect([res.status, await res.json()], path).toEqual([400, { error }]);
    }
  });

  it('survives a restart on the same storage, and dies with a changed access code', async () => {
    h = await startHarness('sqlite');
    const token = await h.login();
    const dataDir = h.dataDir;
    await h.orchestrator.dispose();
    const { loadConfig } = await import('../../hosts/config.js');
    const { createOrchestrator } = await import('../../hosts/container.js');
    const { asValue } = await import('awilix');
    const again = await createOrchestrator(loadConfig({ ADMIN_ACCESS_CODE: ACCESS_CODE, DATA_DIR: dataDir })._unsafeUnwrap(), {
      clock: asValue(h.clock),
    });
    const salt = await again.cradle.storage.settings.get(ADMIN_TOKEN_SALT_SETTING);
    expect(salt).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    const ok = await again.request('/api/mappings', { headers: { authorization: `Bearer ${token}` } });
    expect(ok.status).toBe(200);
    await again.dispose();
    const changed = await createOrchestrator(
      loadConfig({ ADMIN_ACCESS_CODE: 'another code', DATA_DIR: dataDir })._unsafeUnwrap(),
      {
        clock: asValue(h.clock),
      },
    );
    const denied = await changed.request('/api/mappings', { headers: { authorization: `Bearer ${token}` } });
    expect(denied.status).toBe(401);
    await changed.dispose();
  });
});

describe.each(STORAGE_KINDS)('with ADMIN_ACCESS_CODE unset (%s storage)', (kind) => {
  it('answers 404 Not found for /admin and every admin /api route, token or not', async () => {
    h = await startHarness(kind, {});
    for (const [method, path] of [
      ['GET', '/admin'],
      ['GET', '/admin/'],
      ['GET', '/admin/projects'],
      ['POST', '/api/auth'],
      ['GET', '/api/mappings'],
      ['POST', '/api/mappings'],
      ['PATCH', '/api/mappings/ENG'],
      ['DELETE', '/api/mappings/ENG'],
      ['GET', '/api/unknown'],
    ] as const) {
      const res = await h.call(method, path, { body: { code: '' }, token: 'v1.1.x.y' });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(await jsonOf(res)).toEqual({ error: 'Not found' });
    }
    expect((await h.call('GET', '/healthz')).status).toBe(200);
  });
});
