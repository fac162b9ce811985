import { describe, expect, it, vi } from 'vitest';
import { createInProcessEventBus } from '../../adapters/event-bus/in-process.adapter.js';
import { createCryptoIds } from '../../adapters/system/crypto-ids.adapter.js';
import { constantTimeEqual, createHmacSigner, createHmacSigning, deriveKey } from '../../adapters/system/hmac-signer.adapter.js';
import { createLogger } from '../../hosts/logger.js';

describe('hmac signer', () => {
  it('signs deterministically and verifies only the exact payload and key', () => {
    const signer = createHmacSigner('k1');
    const sig = signer.sign('payload');
    expect(signer.sign('payload')).toBe(sig);
    expect(signer.verify('payload', sig)).toBe(true);
    expect(signer.verify('payload!', sig)).toBe(false);
    expect(signer.verify('payload', `${sig}x`)).toBe(false);
    expect(signer.verify('payload', '')).toBe(false);
    expect(createHmacSigner('k2').verify('payload', sig)).toBe(false);
  });

  it('compares strings of any length', () => {
    expect(constantTimeEqual('abc', 'abc')).toBe(true);
    expect(constantTimeEqual('abc', 'abcd')).toBe(false);
    expect(constantTimeEqual('', '')).toBe(true);
  });

  it('derives different keys for different salts, secrets and purposes', () => {
    const keys = [deriveKey('s', 'a', 'p'), deriveKey('s', 'b', 'p'), deriveKey('t', 'a', 'p'), deriveKey('s', 'a', 'q')];
    expect(new Set(keys.map((k) => k.toString('hex'))).size).toBe(4);
  });

  it('signs through the Signing port with the key deriveKey gives, so issued tokens stay valid', () => {
    const signing = createHmacSigning();
    const signer = signing.signer('secret', 'ai-implement', 'run-token');
    expect(signer.sign('p')).toBe(createHmacSigner(deriveKey('secret', 'ai-implement', 'run-token')).sign('p'));
    expect(signing.signer('secret', 'ai-implement', 'run-nonce').verify('p', signer.sign('p'))).toBe(false);
  });

  it('digests one-way and stably, and compares in constant time through the port', () => {
    const signing = createHmacSigning();
    expect(signing.digest('nonce')).toBe(signing.digest('nonce'));
    expect(signing.digest('nonce')).not.toBe(signing.digest('nonce2'));
    // SHA-256 of "abc", base64url.
    expect(signing.digest('abc')).toBe('ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0');
    expect(signing.equal('abc', 'abc')).toBe(true);
    expect(signing.equal('abc', 'abcd')).toBe(false);
  });
});

describe('crypto ids', () => {
  it('mints unique ids and url-safe tokens of the asked size', () => {
    const ids = createCryptoIds();
    expect(new Set(Array.from({ length: 100 }, () => ids.newId())).size).toBe(100);
    expect(ids.randomToken(16)).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });
});

describe('in-process event bus', () => {
  it('delivers to every subscriber, isolates a throwing one, and unsubscribes', () => {
    const failures: unknown[] = [];
    const bus = createInProcessEventBus((e) => failures.push(e));
    const seen: string[] = [];
    bus.subscribe(() => {
      throw new Error('boom');
    });
    const off = bus.subscribe((e) => seen.push(e.type));
    bus.publish({ type: 'mapping.created', at: 1, teamKey: 'ENG' });
    off();
    bus.publish({ type: 'mapping.deleted', at: 2, teamKey: 'ENG' });
    expect(seen).toEqual(['mapping.created']);
    expect(failures).toHaveLength(2);
  });

  it('reports a rejected async subscriber without waiting for it', async () => {
    const onError = vi.fn();
    const bus = createInProcessEventBus(onError);
    bus.subscribe((async () => {
      throw new Error('later');
    }) as unknown as () => void);
    bus.publish({ type: 'job.pruned', at: 0, jobId: 'j1', issueId: 'i1' });
    expect(onError).not.toHaveBeenCalled();
    await new Promise((r) => setTimeout(r, 0));
    expect(onError).toHaveBeenCalledTimes(1);
  });
});

describe('logger', () => {
  it('redacts every configured secret from every line, longest first', () => {
    const lines: string[] = [];
    const log = createLogger({ secrets: ['topsecret', 'topsecret-extended', 'abc'], write: (l) => lines.push(l), now: () => 0 });
    log.error('failed with topsecret-extended and topsecret', { error: new Error('token=topsecret') });
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain('topsecret');
    expect(JSON.parse(lines[0] ?? '{}')).toEqual({
      at: '1970-01-01T00:00:00.000Z',
      level: 'error',
      message: 'failed with [redacted] and [redacted]',
      error: { type: 'Error', message: 'token=[redacted]', stack: expect.stringMatching(/^Error: token=\[redacted\]\n\s+at /) },
    });
  });
});
