import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { Signer, Signing } from '../../ports/signer.port.js';

/** HMAC-SHA256 signatures as base64url; verification compares in constant time. */
export function createHmacSigner(key: string | Buffer): Signer {
  if (key.length === 0) throw new Error('createHmacSigner: the key must not be empty');
  const sign = (payload: string) => createHmac('sha256', key).update(payload).digest('base64url');
  return {
    sign,
    verify: (payload, signature) => constantTimeEqual(sign(payload), signature),
  };
}

/**
 * Equality that takes the same time whatever the inputs: both sides are hashed first, so
 * neither their contents nor their lengths leak through timing.
 */
export function constantTimeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a, 'utf8').digest();
  const hb = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(ha, hb);
}

/** A key for a purpose, derived from a secret and a salt (HMAC-SHA256 as a KDF). */
export function deriveKey(secret: string, salt: string, purpose: string): Buffer {
  return createHmac('sha256', salt).update(`${purpose}\0${secret}`, 'utf8').digest();
}

/** The `Signing` port on HMAC-SHA256: purpose keys by `deriveKey`, SHA-256 digests as base64url. */
export function createHmacSigning(): Signing {
  return {
    signer: (secret, salt, purpose) => createHmacSigner(deriveKey(secret, salt, purpose)),
    digest: (value) => createHash('sha256').update(value, 'utf8').digest('base64url'),
    equal: constantTimeEqual,
  };
}
