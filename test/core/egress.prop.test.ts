import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BLOCKED_LOG_CAP,
  blockedRequestsComment,
  blockedTarget,
  DEFAULT_EGRESS_HOSTS,
  EMPTY_BLOCKED_LOG,
  egressAllows,
  parseEgressAllow,
  parseEgressRule,
  recordBlocked,
} from '../../core/domain/egress.js';

const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?$/);
const hostArb = fc.array(label, { minLength: 2, maxLength: 4 }).map((ls) => ls.join('.'));
const portArb = fc.integer({ min: 1, max: 65535 });

describe('egressAllows (property)', () => {
  it('lets a listed host through on 443 and 80 only, whatever its case or trailing dot', () => {
    fc.assert(
      fc.property(hostArb, portArb, (host, port) => {
        const rules = [parseEgressRule(host)!];
        expect(egressAllows(rules, host, 443)).toBe(true);
        expect(egressAllows(rules, `${host.toUpperCase()}.`, 80)).toBe(true);
        expect(egressAllows(rules, host, port)).toBe(port === 443 || port === 80);
      }),
    );
  });

  it('lets a host:port rule through on that port only', () => {
    fc.assert(
      fc.property(hostArb, portArb, portArb, (host, port, other) => {
        const rules = [parseEgressRule(`${host}:${port}`)!];
        expect(egressAllows(rules, host, port)).toBe(true);
        expect(egressAllows(rules, host, other)).toBe(other === port);
      }),
    );
  });

  it('refuses every host that is not exactly a listed one: no suffix, prefix or look-alike passes', () => {
    fc.assert(
      fc.property(hostArb, hostArb, (listed, asked) => {
        const rules = [parseEgressRule(listed)!];
        for (const attempt of [asked, `${listed}.${asked}`, `${asked}${listed}`, `${asked}.${listed}`, `${listed}-${asked}`]) {
          expect(egressAllows(rules, attempt, 443)).toBe(attempt === listed);
        }
      }),
    );
  });

  it('takes *.domain as every name under the domain, not the domain itself nor a name merely ending like it', () => {
    fc.assert(
      fc.property(hostArb, label, (domain, sub) => {
        const rules = [parseEgressRule(`*.${domain}`)!];
        expect(egressAllows(rules, `${sub}.${domain}`, 443)).toBe(true);
        expect(egressAllows(rules, `a.${sub}.${domain}`, 443)).toBe(true);
        expect(egressAllows(rules, domain, 443)).toBe(false);
        expect(egressAllows(rules, `${sub}${domain}`, 443)).toBe(false);
        expect(egressAllows(rules, `${sub}.${domain}.evil`, 443)).toBe(false);
      }),
    );
  });

  it('refuses anything that is no host name, whatever the rules', () => {
    const rules = parseEgressAllow('*.com example.com 127.0.0.1:8080').rules;
    fc.assert(
      fc.property(fc.string(), (junk) => {
        if (/[^a-z0-9.\-_:[\]]/i.test(junk)) expect(egressAllows(rules, junk, 443)).toBe(false);
      }),
    );
    for (const host of ['example.com@evil.org', 'example.com/evil', 'example.com evil', '', '.', 'exa mple.com', '*.com'])
      expect(egressAllows(rules, host, 443)).toBe(false);
    expect(egressAllows(rules, '127.0.0.1', 8080)).toBe(true);
    expect(egressAllows(rules, '127.0.0.2', 8080)).toBe(false);
    expect(egressAllows(rules, 'example.com', 0)).toBe(false);
  });
});

describe('parseEgressAllow', () => {
  it('reads hosts, wildcards, ports, IPv6 and URLs, and names what it cannot read', () => {
    const { rules, invalid } = parseEgressAllow(
      'npm.example.com, *.corp.example  git.example:8443\nhttps://models.example/v1 http://plain.example [::1]:9000 bad/host *.:1 host:99999',
    );
    expect(rules).toEqual([
      { host: 'npm.example.com', subdomains: false },
      { host: 'corp.example', subdomains: true },
      { host: 'git.example', subdomains: false, port: 8443 },
      { host: 'models.example', subdomains: false, port: 443 },
      { host: 'plain.example', subdomains: false, port: 80 },
      { host: '::1', subdomains: false, port: 9000 },
    ]);
    expect(invalid).toEqual(['bad/host', '*.:1', 'host:99999']);
    expect(egressAllows(rules, '[::1]', 9000)).toBe(true);
  });

  it('has a default list that is all hosts, with the model provider and the npm registry in it', () => {
    const { rules, invalid } = parseEgressAllow(DEFAULT_EGRESS_HOSTS.join(','));
    expect(invalid).toEqual([]);
    expect(egressAllows(rules, 'api.anthropic.com', 443)).toBe(true);
    expect(egressAllows(rules, 'registry.npmjs.org', 443)).toBe(true);
    expect(egressAllows(rules, 'evil.anthropic.com', 443)).toBe(false);
  });
});

describe('the blocked-request log (property)', () => {
  const request = fc.record({
    method: fc.constantFrom('CONNECT', 'GET', 'post'),
    host: fc.oneof(hostArb, fc.string({ maxLength: 30 })),
    port: fc.oneof(portArb, fc.constant('?')),
  });

  it('counts every request once: itemised counts plus dropped ones add up, never more destinations than the cap', () => {
    fc.assert(
      fc.property(fc.array(request, { maxLength: 60 }), fc.integer({ min: 1, max: 20 }), (requests, cap) => {
        let log = EMPTY_BLOCKED_LOG;
        let firsts = 0;
        for (const r of requests) {
          const next = recordBlocked(log, r, cap);
          if (next.first) firsts++;
          log = next.log;
          expect(log.entries.length).toBeLessThanOrEqual(cap);
        }
        expect(log.entries.reduce((n, e) => n + e.count, 0) + log.dropped).toBe(requests.length);
        expect(firsts).toBe(log.entries.length);
        expect(new Set(log.entries.map((e) => `${e.method} ${e.target}`)).size).toBe(log.entries.length);
      }),
    );
  });

  it('prints any host only with a host name’s characters, so a comment cannot be forged through it', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), fc.oneof(portArb, fc.string({ maxLength: 10 })), (host, port) => {
        const target = blockedTarget(host, port);
        expect(target).toMatch(/^[A-Za-z0-9._\-:[\]?]+$/);
        expect(target.length).toBeLessThanOrEqual(210);
      }),
    );
    expect(blockedTarget('evil`](http://x)\n@', 443)).toBe('[evil???http:??x???]:443');
    expect(blockedTarget('::1', 8080)).toBe('[::1]:8080');
    expect(blockedTarget('[::1]', 8080)).toBe('[::1]:8080');
  });

  it('keeps BLOCKED_LOG_CAP destinations by default', () => {
    let log = EMPTY_BLOCKED_LOG;
    for (let i = 0; i < BLOCKED_LOG_CAP + 5; i++)
      log = recordBlocked(log, { method: 'CONNECT', host: `h${i}.evil`, port: 443 }).log;
    expect(log.entries).toHaveLength(BLOCKED_LOG_CAP);
    expect(log.dropped).toBe(5);
  });
});

describe('blockedRequestsComment', () => {
  it('says nothing when nothing was blocked', () => {
    expect(blockedRequestsComment(EMPTY_BLOCKED_LOG)).toBeUndefined();
  });

  it('names each refused destination with its count, and how to allow one', () => {
    let log = EMPTY_BLOCKED_LOG;
    for (const r of [
      { method: 'CONNECT', host: 'evil.example', port: 443 },
      { method: 'CONNECT', host: 'evil.example', port: 443 },
      { method: 'GET', host: '127.0.0.1', port: 4000 },
    ])
      log = recordBlocked(log, r).log;
    expect(blockedRequestsComment(log)).toBe(
      [
        '🚧 Blocked network requests',
        '',
        "The agent's sandbox reaches only allow-listed hosts; these requests were refused:",
        '',
        '- `CONNECT evil.example:443` (2 times)',
        '- `GET 127.0.0.1:4000`',
        '',
        'If the run needs one of them, add the host to `AI_IMPLEMENT_EGRESS_ALLOW`.',
      ].join('\n'),
    );
  });

  it('lists 30 destinations and sums up the rest, the unitemised ones too', () => {
    let log = EMPTY_BLOCKED_LOG;
    for (let i = 0; i < 40; i++) log = recordBlocked(log, { method: 'CONNECT', host: `h${i}.evil`, port: 443 }, 35).log;
    const text = blockedRequestsComment(log) ?? '';
    expect(text).toContain('`CONNECT h29.evil:443`');
    expect(text).not.toContain('h30.evil');
    expect(text).toContain('- … and 5 more destinations');
    expect(text).toContain('- … and 5 more requests not itemised');
  });
});
