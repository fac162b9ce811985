import type { KdfParams } from './secret-cipher.js';

/**
 * The persisted record of the local secret store: one header entry (`$store`, a name no secret
 * can have) beside each secret's sealed value.
 *
 * v2 header: `{ v: 2, keyId, slots: { <slot>: { kdf, salt, [N, r, p], wrapped } } }` — the data
 * key `keyId`, wrapped once per operator secret (slot) that may open the store. A value is
 * `v2.<keyId>.<iv>.<tag>.<ciphertext>`, sealed with the secret's name as additional data.
 *
 * v1 (earlier versions): `{ v: 1, kdf: 'scrypt', N, r, p, salt, check }`, values sealed directly
 * under the scrypt key of one master secret as `v1.<iv>.<tag>.<ciphertext>`; opened once to be
 * rewritten as v2.
 */
export const HEADER_KEY = '$store';

export interface Slot extends KdfParams {
  /** The data key, sealed under this slot's KEK. */
  wrapped: string;
}

export interface HeaderV2 {
  v: 2;
  keyId: string;
  slots: Record<string, Slot>;
}

export interface HeaderV1 {
  v: 1;
  kdf: 'scrypt';
  N: number;
  r: number;
  p: number;
  salt: string;
  check: string;
}

export const V1_CHECK_PLAINTEXT = 'ai-implement local secrets v1';
export const V1_CHECK_AAD = '$check';

export function sealedValue(keyId: string, sealed: string): string {
  return `v2.${keyId}.${sealed}`;
}

/** The key id and the sealed part of a v2 value. */
export function parseSealedValue(value: string): { keyId: string; sealed: string } | undefined {
  const match = /^v2\.([A-Za-z0-9_-]+)\.(.+)$/.exec(value);
  return match ? { keyId: match[1] as string, sealed: match[2] as string } : undefined;
}

const positiveInt = (n: unknown) => Number.isInteger(n) && (n as number) > 0;

export function parseHeader(raw: string): HeaderV1 | HeaderV2 | undefined {
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(raw) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (header.v === 1) {
    const valid =
      header.kdf === 'scrypt' &&
      typeof header.salt === 'string' &&
      typeof header.check === 'string' &&
      [header.N, header.r, header.p].every(positiveInt);
    return valid ? (header as unknown as HeaderV1) : undefined;
  }
  if (header.v === 2) {
    const slots = header.slots;
    if (typeof header.keyId !== 'string' || typeof slots !== 'object' || slots === null) return undefined;
    const valid = Object.values(slots).every((slot: Record<string, unknown>) => {
      if (typeof slot.salt !== 'string' || typeof slot.wrapped !== 'string') return false;
      if (slot.kdf === 'hkdf') return true;
      return slot.kdf === 'scrypt' && [slot.N, slot.r, slot.p].every(positiveInt);
    });
    return valid ? (header as unknown as HeaderV2) : undefined;
  }
  return undefined;
}
