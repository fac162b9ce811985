import { asValue } from 'awilix';
import { afterEach, describe, expect, it } from 'vitest';
import type { OrchestratorOverrides } from '../../hosts/container.js';
import { AUTH_THROTTLE_POLICY, createAuthThrottle } from '../../hosts/http/auth-throttle.js';
import { clientKey } from '../../hosts/http/client-address.js';
import { ACCESS_CODE, type Harness, jsonOf, startHarness } from './harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const ATTACKER = '203.0.113.7';
const OPERATOR = '198.51.100.2';
const WRONG = ['guess-one', 'guess-two', 'guess-three', 'guess-four', 'guess-five', 'guess-six', 'guess-seven'];

const login = (code: string, ip: string) => h!.call('POST', '/api/auth', { body: { code }, ip });
const lockoutLines = () => h!.logs.filter((line) => line.includes('locked out'));

describe('POST /api/auth throttling (issue 12 item 6)', () => {
  it('answers 429 Too many attempts with Retry-After after 5 wrong codes in a minute, one log line, never the codes', async () => {
    h = await startHarness();
    for (const code of WRONG.slice(0, 5)) expect((await login(code, ATTACKER)).status).toBe(403);

    const refused = await login(WRONG[5]!, ATTACKER);
    expect(refused.status).toBe(429);
    expect(await jsonOf(refused)).toEqual({ error: 'Too many attempts' });
    expect(refused.headers.get('retry-after')).toBe('60');
    // Locked out means locked out: even the right code waits.
    expect((await login(ACCESS_CODE, ATTACKER)).status).toBe(429);

    expect(lockoutLines()).toHaveLength(1);
    expect(JSON.parse(lockoutLines()[0]!)).toMatchObject({ level: 'warn', client: ATTACKER, lockout: 1, retryAfterSeconds: 60 });
    for (const code of [...WRONG, ACCESS_CODE]) expect(h.logs.join('\n')).not.toContain(code);
  });

  it('never blocks the right code from a client that was not failing', async () => {
    h = await startHarness();
    for (const code of WRONG.slice(0, 6)) await login(code, ATTACKER);
    expect((await login(WRONG[0]!, ATTACKER)).status).toBe(429);
    const res = await login(ACCESS_CODE, OPERATOR);
    expect(res.status).toBe(200);
    expect(typeof (await jsonOf(res)).token).toBe('string');
  });

  it('forgets a client’s wrong codes once it sends the right one', async () => {
    h = await startHarness();
    for (const code of WRONG.slice(0, 4)) expect((await login(code, OPERATOR)).status).toBe(403);
    expect((await login(ACCESS_CODE, OPERATOR)).status).toBe(200);
    for (const code of WRONG.slice(0, 5)) expect((await login(code, OPERATOR)).status).toBe(403);
    expect((await login(WRONG[5]!, OPERATOR)).status).toBe(429);
  });

  it('lets at most 5 of 20 racing wrong codes through to a 403, and logs one lockout', async () => {
    h = await startHarness();
    const answers = await Promise.all(
      WRONG.concat(WRONG, WRONG)
        .slice(0, 20)
        .map((code) => login(code, ATTACKER)),
    );
    const statuses = answers.map((res) => res.status);
    expect(statuses.filter((s) => s === 403)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(15);
    expect(lockoutLines()).toHaveLength(1);
  });

  it('locks out for longer at each further lockout', async () => {
    const policy = { ...AUTH_THROTTLE_POLICY, firstLockoutSeconds: 1 };
    const overrides = {
      authThrottle: asValue(
        createAuthThrottle({ logger: { info() {}, warn() {}, error() {} }, store: { kind: 'memory' }, policy }),
      ),
    } as unknown as OrchestratorOverrides;
    h = await startHarness('memory', { ADMIN_ACCESS_CODE: ACCESS_CODE }, overrides);
    const lockOut = async () => {
      for (const code of WRONG.slice(0, 5)) expect((await login(code, ATTACKER)).status).toBe(403);
      const refused = await login(WRONG[5]!, ATTACKER);
      expect(refused.status).toBe(429);
      return Number(refused.headers.get('retry-after'));
    };
    expect(await lockOut()).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(await lockOut()).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, 2100));
    expect(await lockOut()).toBe(4);
  }, 15_000);
});

describe('clientKey', () => {
  it.each([
    [undefined, 'unknown'],
    ['203.0.113.7', '203.0.113.7'],
    ['::ffff:203.0.113.7', '203.0.113.7'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:db8:1:2::9', '2001:db8:1:2::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
  ])('%s → %s', (address, key) => {
    expect(clientKey(address)).toBe(key);
  });
});
