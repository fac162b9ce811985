import { timingSafeEqual } from 'node:crypto';
import {
  deriveKek,
  isCurrentScrypt,
  type KdfParams,
  newSalt,
  SCRYPT_PARAMS,
  scryptCost,
} from '../../adapters/secrets/local/secret-cipher.js';
import type { Storage } from '../../ports/storage.port.js';

/**
 * The settings key of the access-code check: a salted scrypt of ADMIN_ACCESS_CODE as
 * `scrypt$N$r$p$<salt>$<hash>`, written under `SCRYPT_PARAMS` (secret-cipher.ts); a check of
 * another setting of at least the same work (N·r·p: N=2^17 r=8 p=1 of earlier versions) still
 * verifies, and is then written again under the current one. A slow hash, so the store is no cheap offline oracle for a
 * human-chosen code; it exists only so a start can tell the code changed since the last one.
 */
export const ADMIN_ACCESS_CODE_CHECK_SETTING = 'adminAccessCodeCheck';

interface Check {
  params: KdfParams;
  hash: Buffer;
}

/**
 * One scrypt per (code, salt, cost) per process: a start, or a test that starts many servers,
 * pays it once. A store seen for the first time takes the process's salt, so one process
 * keeps hitting its cache; the salt is still random per installation.
 */
const computed = new Map<string, Promise<Buffer>>();
const processSalt = newSalt();

function hashOf(code: string, params: KdfParams): Promise<Buffer> {
  const key = `${params.N}:${params.r}:${params.p}:${params.salt}\0${code}`;
  let hash = computed.get(key);
  if (!hash) {
    hash = deriveKek(code, params);
    computed.set(key, hash);
    hash.catch(() => computed.delete(key));
  }
  return hash;
}

function parse(stored: string | undefined): Check | undefined {
  const parts = stored?.split('$');
  if (parts?.length !== 6 || parts[0] !== 'scrypt') return undefined;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  if (![N, r, p].every((n) => Number.isSafeInteger(n) && n >= 1)) return undefined;
  // A check of less work than the current setting is treated as absent: it is replaced.
  if (scryptCost({ N, r, p }) < scryptCost(SCRYPT_PARAMS)) return undefined;
  return { params: { kdf: 'scrypt', N, r, p, salt: parts[4] ?? '' }, hash: Buffer.from(parts[5] ?? '', 'base64url') };
}

/**
 * Whether `code` differs from the code of the last start (true on a store that holds no check,
 * or a weaker one); when it does, `endAll` ends every admin session first and then the check of
 * the current code is stored. Changing the code and back thus ends every session twice: a
 * session of the old code never revives. A matching check of an earlier setting is stored
 * again under the current one, so its larger scrypt runs on one start only.
 */
export async function reconcileAccessCode(
  storage: Storage,
  code: string,
  endAll: () => Promise<number>,
): Promise<{ changed: boolean; ended: number }> {
  const stored = parse(await storage.settings.get(ADMIN_ACCESS_CODE_CHECK_SETTING));
  if (stored) {
    const hash = await hashOf(code, stored.params);
    if (hash.length === stored.hash.length && timingSafeEqual(hash, stored.hash)) {
      if (!isCurrentScrypt(stored.params)) await storage.settings.set(ADMIN_ACCESS_CODE_CHECK_SETTING, await checkOf(code));
      return { changed: false, ended: 0 };
    }
  }
  const check = await checkOf(code);
  const ended = await endAll();
  await storage.settings.set(ADMIN_ACCESS_CODE_CHECK_SETTING, check);
  return { changed: true, ended };
}

/** The check of `code` under the current setting. */
async function checkOf(code: string): Promise<string> {
  const params: KdfParams = { kdf: 'scrypt', salt: processSalt, ...SCRYPT_PARAMS };
  const hash = await hashOf(code, params);
  return ['scrypt', params.N, params.r, params.p, params.salt, hash.toString('base64url')].join('$');
}
