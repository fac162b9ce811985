import { randomBytes, scryptSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SCRYPT_PARAMS } from '../../adapters/secrets/local/secret-cipher.js';
import { createStorage } from '../../adapters/storage/create-storage.js';
import { ADMIN_ACCESS_CODE_CHECK_SETTING, reconcileAccessCode } from '../../hosts/http/admin-access-code-epoch.js';

/**
 * The access-code check of earlier versions (scrypt N=2^17 r=8 p=1, 128 MiB) still verifies, is
 * written again under the current, lower-memory setting, and a check's strength is its work
 * N·r·p, not N alone.
 */

const CODE = 'correct horse battery staple';

/** A check as an earlier version (or another setting) wrote it: `scrypt$N$r$p$<salt>$<hash>`. */
function checkOf(code: string, N: number, r: number, p: number): string {
  const salt = randomBytes(16);
  const hash = scryptSync(code, salt, 32, { N, r, p, maxmem: 256 * 1024 * 1024 });
  return ['scrypt', N, r, p, salt.toString('base64url'), hash.toString('base64url')].join('$');
}

async function storeWith(check: string) {
  const storage = await createStorage({ dataDir: '.', storageUrl: 'memory:' });
  await storage.settings.set(ADMIN_ACCESS_CODE_CHECK_SETTING, check);
  let endAllCalls = 0;
  const endAll = async () => {
    endAllCalls++;
    return 2;
  };
  return {
    reconcile: () => reconcileAccessCode(storage, CODE, endAll),
    stored: async () => (await storage.settings.get(ADMIN_ACCESS_CODE_CHECK_SETTING)) ?? '',
    endAllCalls: () => endAllCalls,
  };
}

const paramsOf = (check: string) => check.split('$').slice(1, 4).map(Number);
const CURRENT = [SCRYPT_PARAMS.N, SCRYPT_PARAMS.r, SCRYPT_PARAMS.p];

describe('the access-code check across scrypt settings', () => {
  it('new checks use a setting of 32 MiB or less, of OWASP’s equivalents for scrypt', () => {
    const owasp = [
      [2 ** 17, 8, 1],
      [2 ** 16, 8, 2],
      [2 ** 15, 8, 3],
      [2 ** 14, 8, 5],
    ];
    expect(owasp).toContainEqual(CURRENT);
    expect(128 * SCRYPT_PARAMS.N * SCRYPT_PARAMS.r).toBeLessThanOrEqual(32 * 1024 * 1024);
  });

  it('an N=2^17 r=8 p=1 check of the same code verifies (no session ended) and is stored again under the current setting', async () => {
    const old = checkOf(CODE, 2 ** 17, 8, 1);
    const s = await storeWith(old);
    expect(await s.reconcile()).toEqual({ changed: false, ended: 0 });
    expect(s.endAllCalls()).toBe(0);
    const upgraded = await s.stored();
    expect(upgraded).not.toBe(old);
    expect(paramsOf(upgraded)).toEqual(CURRENT);
    // The upgraded check verifies the same code, and is not written again.
    expect(await s.reconcile()).toEqual({ changed: false, ended: 0 });
    expect(await s.stored()).toBe(upgraded);
    expect(s.endAllCalls()).toBe(0);
  });

  it('an N=2^17 r=8 p=1 check of another code still means the code changed', async () => {
    const s = await storeWith(checkOf('the code of an earlier start', 2 ** 17, 8, 1));
    expect(await s.reconcile()).toEqual({ changed: true, ended: 2 });
    expect(s.endAllCalls()).toBe(1);
    expect(paramsOf(await s.stored())).toEqual(CURRENT);
  });

  it('a check under the current setting verifies and is kept as it is', async () => {
    const current = checkOf(CODE, SCRYPT_PARAMS.N, SCRYPT_PARAMS.r, SCRYPT_PARAMS.p);
    const s = await storeWith(current);
    expect(await s.reconcile()).toEqual({ changed: false, ended: 0 });
    expect(await s.stored()).toBe(current);
  });

  it('weighs a check by N·r·p: N=2^16 p=2 is not weaker, N=2^15 p=1 is (treated as absent)', async () => {
    const equal = await storeWith(checkOf(CODE, 2 ** 16, 8, 2));
    expect(await equal.reconcile()).toEqual({ changed: false, ended: 0 });
    expect(paramsOf(await equal.stored())).toEqual(CURRENT);

    const weaker = await storeWith(checkOf(CODE, 2 ** 15, 8, 1));
    expect(await weaker.reconcile()).toEqual({ changed: true, ended: 2 });
    expect(weaker.endAllCalls()).toBe(1);
    expect(paramsOf(await weaker.stored())).toEqual(CURRENT);
  });
});
