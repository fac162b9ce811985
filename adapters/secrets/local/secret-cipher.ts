import { createCipheriv, createDecipheriv, hkdf, randomBytes, scrypt } from 'node:crypto';

/**
 * The local secret store's cryptography. Values are sealed with AES-256-GCM under a random
 * data-encryption key (DEK); the DEK is kept only wrapped (sealed the same way) under a
 * key-encryption key (KEK) derived from an operator secret. Every seal uses a fresh 96-bit IV,
 * binds its additional data (the secret's name, or the wrapping slot) and carries a full
 * 16-byte tag; a shorter tag is refused, never checked as a prefix.
 */

/** The GCM tag length, the only one `open` accepts. */
export const GCM_TAG_BYTES = 16;
const IV_BYTES = 12;
const KEY_BYTES = 32;

/**
 * How an operator secret becomes a KEK. `scrypt` stretches a human-chosen secret (the admin
 * access code). `hkdf` (HKDF-SHA256) is for a machine-generated secret (RUNNER_TOKEN_SECRET),
 * where stretching buys nothing: whoever can guess it can forge the run tokens it signs anyway.
 */
export type KeyDerivation = 'scrypt' | 'hkdf';
/**
 * New scrypt derivations: N=2^15, r=8, p=3, one of OWASP's equivalent settings for scrypt
 * (beside N=2^17 p=1, N=2^16 p=2, N=2^14 p=5). It holds 32 MiB while it runs where N=2^17
 * held 128 MiB (the start-up RSS peak), and keeps more memory per guess than N=2^14 p=5
 * (16 MiB), memory being what scrypt makes an attacker's parallel hardware pay for.
 * Every stored derivation records its own N, r and p, so data made under N=2^17 r=8 p=1 still
 * opens.
 */
export const SCRYPT_PARAMS = { N: 2 ** 15, r: 8, p: 3 } as const;
/** Room for the largest setting ever written (N=2^17, r=8: 128 MiB) and a stored setting's own. */
const SCRYPT_MAXMEM = 256 * 1024 * 1024;
const HKDF_INFO = 'ai-implement local secrets kek v2';

type ScryptCost = Pick<KdfParams, 'N' | 'r' | 'p'>;

/**
 * The work of a scrypt setting, N·r·p: what OWASP's equivalent settings trade between memory
 * (N·r) and passes (p). N alone would call N=2^15 p=3 weaker than N=2^17 p=1.
 */
export function scryptCost({ N = 0, r = 0, p = 0 }: ScryptCost): number {
  return N * r * p;
}

/** Whether a stored scrypt setting is the one new derivations use (else it is re-derived under it when next written). */
export function isCurrentScrypt({ N, r, p }: ScryptCost): boolean {
  return N === SCRYPT_PARAMS.N && r === SCRYPT_PARAMS.r && p === SCRYPT_PARAMS.p;
}

export interface KdfParams {
  kdf: KeyDerivation;
  salt: string;
  N?: number;
  r?: number;
  p?: number;
}

export function newSalt(): string {
  return randomBytes(16).toString('base64url');
}

export function newDataKey(): Buffer {
  return randomBytes(KEY_BYTES);
}

/** A short random key id, written beside every value sealed under that key. */
export function newKeyId(): string {
  return randomBytes(6).toString('base64url');
}

export function freshKdf(kdf: KeyDerivation): KdfParams {
  return kdf === 'scrypt' ? { kdf, salt: newSalt(), ...SCRYPT_PARAMS } : { kdf, salt: newSalt() };
}

export function deriveKek(secret: string | Uint8Array, params: KdfParams): Promise<Buffer> {
  const salt = Buffer.from(params.salt, 'base64url');
  if (params.kdf === 'hkdf') {
    return new Promise((resolve, reject) =>
      hkdf('sha256', secret, salt, HKDF_INFO, KEY_BYTES, (error, key) => (error ? reject(error) : resolve(Buffer.from(key)))),
    );
  }
  const cost = { N: params.N ?? SCRYPT_PARAMS.N, r: params.r ?? SCRYPT_PARAMS.r, p: params.p ?? SCRYPT_PARAMS.p };
  return oneScryptAtATime(
    () =>
      new Promise<Buffer>((resolve, reject) =>
        scrypt(secret, salt, KEY_BYTES, { ...cost, maxmem: SCRYPT_MAXMEM }, (error, key) =>
          error ? reject(error) : resolve(key),
        ),
      ),
  );
}

/**
 * scrypt derivations run one after another in the process: each holds 128·N·r bytes while it
 * runs, so two at once (the access-code check and the secret store's access-code slot, both
 * possible at start) would add their memory to the peak.
 */
let scryptTail: Promise<unknown> = Promise.resolve();
function oneScryptAtATime<T>(derive: () => Promise<T>): Promise<T> {
  const run = scryptTail.then(derive);
  scryptTail = run.catch(() => undefined);
  return run;
}

/** `<iv>.<tag>.<ciphertext>`, each part base64url. */
export function seal(key: Buffer, aad: string, plaintext: string | Buffer): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: GCM_TAG_BYTES });
  cipher.setAAD(Buffer.from(aad));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return [iv, cipher.getAuthTag(), body].map((part) => part.toString('base64url')).join('.');
}

/** The plaintext bytes, or undefined when the key, the additional data, the tag or the bytes do not match. */
export function openBytes(key: Buffer, aad: string, sealed: string): Buffer | undefined {
  const parts = sealed.split('.');
  if (parts.length !== 3) return undefined;
  const [iv, tag, body] = parts.map((part) => Buffer.from(part ?? '', 'base64url')) as [Buffer, Buffer, Buffer];
  if (iv.length !== IV_BYTES || tag.length !== GCM_TAG_BYTES) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: GCM_TAG_BYTES });
    decipher.setAAD(Buffer.from(aad));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(body), decipher.final()]);
  } catch {
    return undefined;
  }
}

export function open(key: Buffer, aad: string, sealed: string): string | undefined {
  return openBytes(key, aad, sealed)?.toString('utf8');
}

/** The additional data a wrapped DEK is bound to: its slot and its key id. */
export function wrapAad(slot: string, keyId: string): string {
  return `$key:${slot}:${keyId}`;
}
