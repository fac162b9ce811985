import { describe, expect, it, vi } from 'vitest';

/**
 * scrypt derivations run one after another in the process (secret-cipher.ts), so the start's
 * access-code check and the secret store's access-code slot never hold their memory at once.
 */

const seen = vi.hoisted(() => ({ running: 0, most: 0 }));

vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:crypto')>();
  const scrypt = (...args: unknown[]) => {
    const done = args.pop() as (error: Error | null, key: Buffer) => void;
    seen.running++;
    seen.most = Math.max(seen.most, seen.running);
    try {
      (actual.scrypt as (...a: unknown[]) => void)(...args, (error: Error | null, key: Buffer) => {
        seen.running--;
        done(error, key);
      });
    } catch (error) {
      // Parameters scrypt refuses are thrown at once, not called back.
      seen.running--;
      throw error;
    }
  };
  return { ...actual, default: { ...actual, scrypt }, scrypt };
});

const { deriveKek, newSalt, SCRYPT_PARAMS } = await import('../../adapters/secrets/local/secret-cipher.js');

describe('scrypt derivations', () => {
  it('run one at a time, each still answering its own key; a failed one does not stop the next', async () => {
    const params = () => ({ kdf: 'scrypt' as const, salt: newSalt(), ...SCRYPT_PARAMS });
    const broken = { kdf: 'scrypt' as const, salt: newSalt(), N: 3, r: 8, p: 1 };
    const [a, b, failed, c] = await Promise.allSettled([
      deriveKek('code-a', params()),
      deriveKek('code-b', params()),
      deriveKek('code-c', broken),
      deriveKek('code-c', params()),
    ]);
    expect(seen.most).toBe(1);
    for (const result of [a, b, c]) expect(result.status === 'fulfilled' && result.value.length).toBe(32);
    expect(failed?.status).toBe('rejected');
    expect(seen.running).toBe(0);
  });
});
