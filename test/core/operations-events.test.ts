import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { capBody, nextRetry, replayRefusal } from '../../core/domain/connector-events.js';
import { classifyProbe, PROBE_CLASSES } from '../../core/domain/probe-classification.js';
import {
  addSightings,
  BURST_COUNT,
  fingerprintOf,
  newSecurityEvent,
  SECURITY_STATUSES,
  type SecurityStatus,
  transitionRefusal,
} from '../../core/domain/security-events.js';
import { connectorEvent } from '../../testing/contracts/operations-events.contract.js';

describe('probe classification', () => {
  it.each([
    ['<script>alert(1)</script>', 'script'],
    ['<img src=x onerror=alert(1)>', 'script'],
    ['javascript:alert(document.cookie)', 'script'],
    ['; cat /etc/hosts', 'command'],
    ['$(whoami)', 'command'],
    ["1' OR 1=1 --", 'SQL'],
    ['1 UNION SELECT password FROM users', 'SQL'],
    ['{{7*7}}', 'template'],
    ['${jndi:ldap://x/a}', 'template'],
    ['../../../etc/passwd', 'path'],
    ['/wp-login.php', 'path'],
    ['..%2f..%2f..%2fwindows/win.ini', 'path'],
    ['A'.repeat(300), 'fuzz'],
    ['\u0000\u0001\u0002', 'fuzz'],
  ])('classifies %j as %s', (input, expected) => {
    expect(classifyProbe(input)).toBe(expected);
  });

  it.each([
    'Fix the login page',
    'Ship the footer: 1 = 1 column layout',
    '{"action":"update","type":"Issue","data":{"title":"Add OR-gates to the simulator"}}',
    '/api/v1/issues/ENG-12',
    'x'.repeat(100),
  ])('leaves ordinary text %j alone', (input) => {
    expect(classifyProbe(input)).toBeUndefined();
  });

  it('answers a known class or nothing for any input, never throwing, quickly even for long inputs', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 20_000 }), (text) => {
        const started = performance.now();
        const kind = classifyProbe(text);
        expect(kind === undefined || (PROBE_CLASSES as readonly string[]).includes(kind)).toBe(true);
        expect(performance.now() - started).toBeLessThan(50);
      }),
      { numRuns: 300 },
    );
  });
});

describe('security event groups and workflow', () => {
  const signal = { kind: 'probe' as const, classification: 'SQL' as const, source: '192.0.2.1', route: 'GET /x', at: 1_000 };

  it('hints duplicate from the second sighting and burst at BURST_COUNT within a minute, and keeps the burst', () => {
    let group = newSecurityEvent('g', signal, 1);
    expect(group.hints).toEqual([]);
    group = addSightings(group, 1, 2_000);
    expect(group.hints).toEqual(['duplicate']);
    group = addSightings(group, BURST_COUNT - 2, 3_000);
    expect(group.hints).toEqual(['duplicate', 'burst']);
    expect(addSightings(group, 1, 10_000_000).hints).toEqual(['duplicate', 'burst']);
    const slow = addSightings(newSecurityEvent('s', signal, 1), BURST_COUNT, 120_000);
    expect(slow.hints).toEqual(['duplicate']);
  });

  it('fingerprints a detail as its own group, and a signal without one as before details existed', () => {
    expect(fingerprintOf(signal)).toBe('probe|SQL|192.0.2.1|GET /x');
    const expired = { ...signal, kind: 'bad_run_token' as const, classification: undefined, detail: 'expired' };
    expect(fingerprintOf(expired)).toBe('bad_run_token||192.0.2.1|GET /x|expired');
    expect(fingerprintOf({ ...expired, detail: 'bad_signature' })).not.toBe(fingerprintOf(expired));
    expect(newSecurityEvent('e', expired, 1)).toMatchObject({ detail: 'expired', fingerprint: fingerprintOf(expired) });
  });

  it('allows exactly the seed’s moves: forward along open → triaged → in_progress → done, then archived, and reopening', () => {
    const allowed = (from: SecurityStatus) => SECURITY_STATUSES.filter((to) => transitionRefusal(from, to) === undefined);
    expect(allowed('open')).toEqual(['triaged', 'in_progress', 'done']);
    expect(allowed('triaged')).toEqual(['open', 'in_progress', 'done']);
    expect(allowed('in_progress')).toEqual(['open', 'done']);
    expect(allowed('done')).toEqual(['open', 'archived']);
    expect(allowed('archived')).toEqual([]);
    expect(transitionRefusal('open', 'open')).toBe('The security event is already open');
  });
});

describe('connector event rules', () => {
  it('cuts a body at the limit and says so', () => {
    expect(capBody('abc', 5)).toEqual({ body: 'abc', truncated: false });
    expect(capBody('abcdef', 5)).toEqual({ body: 'abcde', truncated: true });
  });

  it('replays only whole, verified, inbound Linear or GitHub deliveries', () => {
    expect(replayRefusal(connectorEvent('a'))).toBeUndefined();
    expect(replayRefusal(connectorEvent('a', { signature: 'invalid' }))).toBe('Only verified deliveries can be replayed');
    expect(replayRefusal(connectorEvent('a', { bodyTruncated: true }))).toBe('The delivery body was not kept whole');
    expect(replayRefusal(connectorEvent('a', { source: 'gap-fill' }))).toBe('Deliveries from gap-fill cannot be replayed');
    expect(replayRefusal(connectorEvent('a', { direction: 'outbound' }))).toBe('Only inbound deliveries can be replayed');
  });

  it('counts failed attempts until it gives up, and marks a later success recovered', () => {
    let retry = nextRetry(undefined, { ok: false, at: 1, error: 'HTTP 502' }, 3);
    expect(retry).toEqual({ attempts: 1, state: 'retrying', lastError: 'HTTP 502', lastAttemptAt: 1 });
    retry = nextRetry(retry, { ok: false, at: 2, error: 'HTTP 503' }, 3);
    expect(retry.state).toBe('retrying');
    expect(nextRetry(retry, { ok: false, at: 3, error: 'x' }, 3)).toMatchObject({ attempts: 3, state: 'gave_up' });
    expect(nextRetry(retry, { ok: true, at: 4 }, 3)).toMatchObject({ attempts: 2, state: 'recovered', lastAttemptAt: 4 });
  });
});
