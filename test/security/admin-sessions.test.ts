import { asValue } from 'awilix';
import { afterEach, describe, expect, it } from 'vitest';
import { SCRYPT_PARAMS } from '../../adapters/secrets/local/secret-cipher.js';
import { loadConfig } from '../../hosts/config.js';
import { createOrchestrator, type Orchestrator } from '../../hosts/container.js';
import { ADMIN_ACCESS_CODE_CHECK_SETTING } from '../../hosts/http/admin-access-code-epoch.js';
import { ADMIN_SESSIONS, ADMIN_TOKEN_TTL_MS } from '../../hosts/http/admin-auth.service.js';
import { ACCESS_CODE, type Harness, jsonOf, STORAGE_KINDS, startHarness } from '../hosts/harness.js';

/** Issue 13, "Admin sessions that can be ended": a bearer is a session held on the server. */

let h: Harness | undefined;
const others: Orchestrator[] = [];
afterEach(async () => {
  for (const o of others.splice(0)) await o.dispose();
  await h?.close();
  h = undefined;
});

const mappings = (token: string) => h?.call('GET', '/api/mappings', { token }).then((r) => r.status);

describe.each(STORAGE_KINDS)('admin sessions (%s storage)', (kind) => {
  it('sign-out ends the session on the server; the token is refused afterwards, other sessions live on', async () => {
    h = await startHarness(kind);
    const mine = await h.login();
    const other = await h.login();
    const res = await h.call('DELETE', '/api/auth', { token: mine });
    expect(res.status).toBe(200);
    expect(await jsonOf(res)).toEqual({ signedOut: true });
    expect(await mappings(mine)).toBe(401);
    expect(await mappings(other)).toBe(200);
    const again = await h.call('DELETE', '/api/auth', { token: mine });
    expect([again.status, await again.json()]).toEqual([401, { error: 'Unauthorized' }]);
    expect((await h.call('DELETE', '/api/auth')).status).toBe(401);
  });

  it('POST /api/auth/revoke-all ends every session at once', async () => {
    h = await startHarness(kind);
    const tokens = [await h.login(), await h.login(), await h.login()];
    const res = await h.call('POST', '/api/auth/revoke-all', { token: tokens[0] });
    expect(res.status).toBe(200);
    expect(await jsonOf(res)).toEqual({ revoked: 3 });
    for (const token of tokens) expect(await mappings(token)).toBe(401);
    expect((await h.call('POST', '/api/auth/revoke-all')).status).toBe(401);
    expect(await mappings(await h.login())).toBe(200);
  });

  it('keeps the 24-hour expiry', async () => {
    h = await startHarness(kind);
    const token = await h.login();
    h.clock.advance(ADMIN_TOKEN_TTL_MS - 1);
    expect(await mappings(token)).toBe(200);
    h.clock.advance(1);
    expect(await mappings(token)).toBe(401);
    expect((await h.call('DELETE', '/api/auth', { token })).status).toBe(401);
  });

  it('stores a session id and its expiry, never the token; sign-in and sign-out are logged without it', async () => {
    h = await startHarness(kind);
    const token = await h.login();
    const [, id, signature] = token.split('.') as [string, string, string];
    const stored = JSON.stringify(await h.orchestrator.cradle.storage.documents.list(ADMIN_SESSIONS));
    expect(stored).toContain(id);
    expect(stored).not.toContain(signature);
    await h.call('DELETE', '/api/auth', { token });
    const lines = h.logs.join('\n');
    expect(lines).toContain('admin signed in');
    expect(lines).toContain('admin signed out');
    expect(lines).not.toContain(id);
    expect(lines).not.toContain(signature);
    expect(lines).not.toContain(ACCESS_CODE);
  });
});

describe('sessions shared by replicas', () => {
  const replica = async (dataDir: string, code = ACCESS_CODE) => {
    const o = await createOrchestrator(loadConfig({ ADMIN_ACCESS_CODE: code, DATA_DIR: dataDir })._unsafeUnwrap(), {
      ...(h ? { clock: asValue(h.clock) } : {}),
    });
    others.push(o);
    return o;
  };
  const status = (o: Orchestrator, token: string) =>
    o.request('/api/mappings', { headers: { authorization: `Bearer ${token}` } }).then((r) => r.status);

  it('a sign-out or revoke-all on one replica ends the session on the other', async () => {
    h = await startHarness('sqlite');
    const other = await replica(h.dataDir);
    const a = await h.login();
    const b = await h.login();
    expect(await status(other, a)).toBe(200);
    await other.request('/api/auth', { method: 'DELETE', headers: { authorization: `Bearer ${a}` } });
    expect(await mappings(a)).toBe(401);
    await other.request('/api/auth/revoke-all', { method: 'POST', headers: { authorization: `Bearer ${b}` } });
    expect(await mappings(b)).toBe(401);
  });

  it('a changed ADMIN_ACCESS_CODE ends every session', async () => {
    h = await startHarness('sqlite');
    const tokens = [await h.login(), await h.login()];
    const changed = await replica(h.dataDir, 'a new access code');
    for (const token of tokens) expect(await status(changed, token)).toBe(401);
  });

  it('a changed ADMIN_ACCESS_CODE, changed back, revives no session of the old one', async () => {
    h = await startHarness('sqlite');
    const tokens = [await h.login(), await h.login()];
    expect(await mappings(tokens[0]!)).toBe(200);
    const changed = await replica(h.dataDir, 'a new access code');
    for (const token of tokens) expect(await status(changed, token)).toBe(401);
    await changed.dispose();
    const restored = await replica(h.dataDir, ACCESS_CODE);
    for (const token of tokens) expect(await status(restored, token)).toBe(401);
    // A new sign-in under the restored code works, and survives another start with the same code.
    const signIn = await restored.request('/api/auth', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: ACCESS_CODE }),
    });
    const { token } = (await signIn.json()) as { token: string };
    expect(await status(restored, token)).toBe(200);
    expect(await status(await replica(h.dataDir, ACCESS_CODE), token)).toBe(200);
  });

  it('the store keeps only a slow salted hash of the access code (scrypt at the current setting), never the code', async () => {
    h = await startHarness('sqlite');
    await h.login();
    const check = (await h.orchestrator.cradle.storage.settings.get(ADMIN_ACCESS_CODE_CHECK_SETTING)) ?? '';
    const [kdf, N, r, p, salt, hash] = check.split('$');
    expect(kdf).toBe('scrypt');
    // OWASP's N=2^15 r=8 p=3 or N=2^14 r=8 p=5 (admin-access-code-upgrade.test.ts): the work of N=2^17 r=8 p=1 or near it.
    expect([N, r, p].map(Number)).toEqual([SCRYPT_PARAMS.N, SCRYPT_PARAMS.r, SCRYPT_PARAMS.p]);
    expect(Number(N) * Number(r) * Number(p)).toBeGreaterThanOrEqual(5 * 2 ** 17);
    expect(salt?.length).toBeGreaterThanOrEqual(16);
    expect(hash?.length).toBeGreaterThanOrEqual(32);
    expect(check).not.toContain(ACCESS_CODE);
  });

  it('a token with a tampered signature is refused and does not end the real session', async () => {
    h = await startHarness('memory');
    const token = await h.login();
    const tampered = `${token.slice(0, -2)}${token.endsWith('AA') ? 'BB' : 'AA'}`;
    expect(await mappings(tampered)).toBe(401);
    expect((await h.call('DELETE', '/api/auth', { token: tampered })).status).toBe(401);
    expect(await mappings(token)).toBe(200);
  });
});
