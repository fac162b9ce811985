import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_ENDPOINTS, V1_ENDPOINTS } from './endpoints.js';
import { ACCESS_CODE, expectAnswer, type ServerProcess, startServerProcess } from './server.js';

const DAY_MS = 24 * 60 * 60 * 1000;

describe('admin-ui-and-api.txt: with ADMIN_ACCESS_CODE unset the UI is disabled and /admin and /api/* return 404', () => {
  let s: ServerProcess;
  beforeAll(async () => {
    s = await startServerProcess({ STORAGE_URL: 'memory:' });
  });
  afterAll(() => s.close());

  it('GET /admin → 404', async () => {
    expect((await s.call('GET', '/admin')).status).toBe(404);
    expect((await s.call('GET', '/admin/')).status).toBe(404);
  });

  it('POST /api/auth → 404 (there is nothing to log in to)', async () => {
    expect((await s.call('POST', '/api/auth', { body: { code: 'anything' } })).status).toBe(404);
  });

  it.each(ADMIN_ENDPOINTS)('%s %s → 404, with or without a bearer token', async (method, path) => {
    expect((await s.call(method, path, { body: {} })).status).toBe(404);
    expect((await s.call(method, path, { body: {}, token: 'v1.99999999999999.x.y' })).status).toBe(404);
  });

  it.each(V1_ENDPOINTS)('v1: %s %s → 404 (it sits under /api/*)', async (method, path) => {
    expect((await s.call(method, path, { body: {} })).status).toBe(404);
  });

  it('GET /api/docs → 404', async () => {
    expect((await s.call('GET', '/api/docs')).status).toBe(404);
  });
});

describe('admin-ui-and-api.txt: all /api/* endpoints except /api/auth require a Bearer token', () => {
  let s: ServerProcess;
  beforeAll(async () => {
    s = await startServerProcess({ ADMIN_ACCESS_CODE: ACCESS_CODE, STORAGE_URL: 'memory:' });
  });
  afterAll(() => s.close());

  it.each(ADMIN_ENDPOINTS)('%s %s without a token → 401 Unauthorized', async (method, path) => {
    expectAnswer(await s.call(method, path, { body: {} }), 401, { error: 'Unauthorized' });
  });

  it.each(V1_ENDPOINTS)('v1: %s %s without a token → 401 Unauthorized', async (method, path) => {
    expectAnswer(await s.call(method, path, { body: {} }), 401, { error: 'Unauthorized' });
    expectAnswer(await s.call(method, path, { body: {}, token: 'nonsense' }), 401, { error: 'Unauthorized' });
  });

  it.each(ADMIN_ENDPOINTS)('%s %s with an invalid or forged token → 401 Unauthorized', async (method, path) => {
    const good = await s.adminToken();
    const [prefix, , nonce, sig] = good.split('.');
    const forgedExpiry = `${prefix}.${Date.now() + 365 * DAY_MS}.${nonce}.${sig}`;
    for (const token of ['nonsense', ACCESS_CODE, forgedExpiry, `${good}x`]) {
      expectAnswer(await s.call(method, path, { body: {}, token }), 401, { error: 'Unauthorized' });
    }
    // Not a Bearer scheme at all.
    const basic = await s.call(method, path, { body: {}, headers: { authorization: `Basic ${good}` } });
    expectAnswer(basic, 401, { error: 'Unauthorized' });
  });

  it('POST /api/auth with the access code → 200 with a token field that opens the admin API', async () => {
    const res = await s.call('POST', '/api/auth', { body: { code: ACCESS_CODE } });
    expect(res.status).toBe(200);
    expect(typeof res.body.token).toBe('string');
    const mappings = await s.call('GET', '/api/mappings', { token: res.body.token as string });
    expect(mappings.status).toBe(200);
  });

  it('Tokens expire after 24 hours: the login answer says when, 24 h from now', async () => {
    const before = Date.now();
    const res = await s.call('POST', '/api/auth', { body: { code: ACCESS_CODE } });
    const expiresAt = Date.parse(String(res.body.expiresAt));
    expect(expiresAt).toBeGreaterThanOrEqual(before + DAY_MS - 1000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + DAY_MS + 1000);
  });

  it('POST /api/auth: 400 Invalid request body when the body is not JSON', async () => {
    expectAnswer(await s.call('POST', '/api/auth', { raw: '{"code":' }), 400, { error: 'Invalid request body' });
    expectAnswer(await s.call('POST', '/api/auth', { raw: 'not json' }), 400, { error: 'Invalid request body' });
  });

  it('POST /api/auth: 403 Invalid access code when the access code does not match', async () => {
    expectAnswer(await s.call('POST', '/api/auth', { body: { code: 'wrong-code' } }), 403, { error: 'Invalid access code' });
    expectAnswer(await s.call('POST', '/api/auth', { body: { code: `${ACCESS_CODE} ` } }), 403, {
      error: 'Invalid access code',
    });
    expectAnswer(await s.call('POST', '/api/auth', { body: { code: '' } }), 403, { error: 'Invalid access code' });
  });

  it('POST /api/auth: a JSON body without a code is an access code that does not match (403)', async () => {
    expectAnswer(await s.call('POST', '/api/auth', { body: {} }), 403, { error: 'Invalid access code' });
  });

  it('/admin serves the control panel (HTML) without a token: logging in happens on the page', async () => {
    const res = await s.call('GET', '/admin');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type') ?? '').toMatch(/^text\/html/);
  });

  it('unknown /api paths are guarded too (401 before 404)', async () => {
    expectAnswer(await s.call('GET', '/api/no-such-route'), 401, { error: 'Unauthorized' });
    expect((await s.call('GET', '/api/no-such-route', { token: true })).status).toBe(404);
  });
});
