import { createCipheriv, createDecipheriv, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/**
 * AES-256-GCM with a key derived by scrypt from the operator's master secret. Each value is sealed
 * with a fresh 96-bit IV and bound to its secret name as additional data, so a ciphertext moved
 * to another name does not open. The store keeps the scrypt salt and a sealed check value, so a
 * wrong master key is told apart from a damaged entry before anything is written.
 */

/** scrypt cost: N=2^14, r=8 (16 MiB, tens of milliseconds), derived once per store. */
export const SCRYPT_PARAMS = { N: 2 ** 14, r: 8, p: 1 } as const;
const CHECK_PLAINTEXT = 'ai-implement local secrets v1';
const CHECK_AAD = '$check';

export interface StoreHeader {
  v: 1;
  kdf: 'scrypt';
  N: number;
  r: number;
  p: number;
  salt: string;
  check: string;
}

export function newSalt(): string {
  return randomBytes(16).toString('base64url');
}

export function deriveKey(master: string | Uint8Array, header: Pick<StoreHeader, 'salt' | 'N' | 'r' | 'p'>): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(master, Buffer.from(header.salt, 'base64url'), 32, { N: header.N, r: header.r, p: header.p }, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

export function newHeader(key: Buffer, salt: string): StoreHeader {
  return { v: 1, kdf: 'scrypt', ...SCRYPT_PARAMS, salt, check: seal(key, CHECK_AAD, CHECK_PLAINTEXT) };
}

/** True when `key` opens the header's check value: the master key is the one the store was made with. */
export function keyMatches(key: Buffer, header: StoreHeader): boolean {
  const opened = open(key, CHECK_AAD, header.check);
  if (opened === undefined) return false;
  const expected = Buffer.from(CHECK_PLAINTEXT);
  const actual = Buffer.from(opened);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** `v1.<iv>.<tag>.<ciphertext>`, each part base64url. */
export function seal(key: Buffer, name: string, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(name));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return ['v1', iv, cipher.getAuthTag(), body]
    .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
    .join('.');
}

/** The plaintext, or undefined when the key, the name or the bytes do not match. */
export function open(key: Buffer, name: string, sealed: string): string | undefined {
  const [version, iv, tag, body] = sealed.split('.');
  if (version !== 'v1' || iv === undefined || tag === undefined || body === undefined) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(name));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}
