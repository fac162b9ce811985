import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../hosts/config.js';
import { parseTrustProxy, TRUST_PROXY_PROBLEM, trustedProxiesFrom } from '../../hosts/http/trusted-proxies.js';
import { ACCESS_CODE, type Harness, jsonOf, startHarness } from './harness.js';

const clientOf = (setting: string, peer: string | undefined, header: string | null) =>
  parseTrustProxy(setting)._unsafeUnwrap().clientAddress(peer, header);

describe('TRUST_PROXY: whose X-Forwarded-For names the client', () => {
  it('unset: the peer, whatever the header says', () => {
    expect(trustedProxiesFrom(undefined).clientAddress('10.0.0.9', '203.0.113.7')).toBe('10.0.0.9');
  });

  it.each([
    // setting, peer, X-Forwarded-For, client
    ['loopback', '127.0.0.1', '203.0.113.7', '203.0.113.7'],
    ['loopback', '::1', '203.0.113.7', '203.0.113.7'],
    ['loopback', '::ffff:127.0.0.1', '2001:db8::5', '2001:db8::5'],
    // The peer is not a proxy we trust: its header is anyone's writing.
    ['loopback', '198.51.100.4', '203.0.113.7', '198.51.100.4'],
    // A client's own forged entry sits left of what the trusted proxy appended: never reached.
    ['loopback', '127.0.0.1', '1.1.1.1, 203.0.113.7', '203.0.113.7'],
    // Two proxies in the list: walked past both.
    ['10.0.0.0/8, loopback', '127.0.0.1', '1.1.1.1, 203.0.113.7, 10.1.2.3', '203.0.113.7'],
    ['private', '172.20.0.5', '203.0.113.7, 192.168.1.1', '203.0.113.7'],
    ['private', 'fdaa:0:1::3', '203.0.113.7', '203.0.113.7'],
    ['192.0.2.10', '192.0.2.10', '203.0.113.7', '203.0.113.7'],
    ['192.0.2.10', '192.0.2.11', '203.0.113.7', '192.0.2.11'],
    // Every hop trusted: the left-most entry is the client.
    ['loopback', '127.0.0.1', '127.0.0.2', '127.0.0.2'],
    // A hop count trusts the nearest N, whatever their addresses.
    ['1', '198.51.100.4', '1.1.1.1, 203.0.113.7', '203.0.113.7'],
    ['2', '198.51.100.4', '1.1.1.1, 203.0.113.7', '1.1.1.1'],
    ['0', '198.51.100.4', '203.0.113.7', '198.51.100.4'],
    // Garbage from a trusted proxy ends the walk at that proxy.
    ['loopback', '127.0.0.1', 'not-an-address', '127.0.0.1'],
    ['loopback', '127.0.0.1', '203.0.113.7:5555', '127.0.0.1'],
  ])('%s: peer %s, X-Forwarded-For %s → %s', (setting, peer, header, client) => {
    expect(clientOf(setting, peer, header)).toBe(client);
  });

  it('no header, or no peer: the peer', () => {
    expect(clientOf('loopback', '127.0.0.1', null)).toBe('127.0.0.1');
    expect(clientOf('1', undefined, '203.0.113.7')).toBeUndefined();
  });

  it.each(['yes', 'true', '*', '10.0.0.0/33', '::1/129', '10.0.0.1/8/2', 'loopback,', '33', '1.2.3'])(
    'refuses %j at start with what the setting may be',
    (value) => {
      expect(parseTrustProxy(value).isErr()).toBe(true);
      expect(loadConfig({ TRUST_PROXY: value })._unsafeUnwrapErr()).toBe(`Invalid configuration: ${TRUST_PROXY_PROBLEM}`);
    },
  );

  it('is part of the configuration contract', () => {
    expect(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8' })._unsafeUnwrap().trustProxy).toBe('loopback, 10.0.0.0/8');
    expect(loadConfig({})._unsafeUnwrap().trustProxy).toBeUndefined();
  });
});

describe('the sign-in lockout behind a proxy', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });
  const PROXY = '127.0.0.1';
  const login = (code: string, forwardedFor: string) =>
    h!.call('POST', '/api/auth', { body: { code }, ip: PROXY, headers: { 'x-forwarded-for': forwardedFor } });

  it('with TRUST_PROXY, one client’s lockout does not lock out the others behind the same proxy', async () => {
    h = await startHarness('memory', { ADMIN_ACCESS_CODE: ACCESS_CODE, TRUST_PROXY: 'loopback' });
    for (let i = 0; i < 5; i++) expect((await login(`wrong-${i}`, '203.0.113.7')).status).toBe(403);
    expect((await login('wrong-5', '203.0.113.7')).status).toBe(429);
    // The attacker prepending an address of its own changes nothing: the proxy appended the real one.
    expect((await login('wrong-6', '198.51.100.2, 203.0.113.7')).status).toBe(429);
    const operator = await login(ACCESS_CODE, '198.51.100.2');
    expect(operator.status).toBe(200);
    expect(typeof (await jsonOf(operator)).token).toBe('string');
    expect(h.logs.filter((line) => line.includes('locked out')).map((line) => JSON.parse(line).client)).toEqual(['203.0.113.7']);
  });

  it('without TRUST_PROXY, the header is ignored: a locked-out client cannot forge its way out', async () => {
    h = await startHarness('memory', { ADMIN_ACCESS_CODE: ACCESS_CODE });
    for (let i = 0; i < 5; i++) expect((await login(`wrong-${i}`, `203.0.113.${i}`)).status).toBe(403);
    expect((await login('wrong-5', '198.51.100.99')).status).toBe(429);
    expect(h.logs.filter((line) => line.includes('locked out')).map((line) => JSON.parse(line).client)).toEqual([PROXY]);
  });
});
