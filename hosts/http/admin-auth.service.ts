import { err, ok, type Result } from 'neverthrow';
import { constantTimeEqual, createHmacSigner, deriveKey } from '../../adapters/system/hmac-signer.adapter.js';
import type { Clock } from '../../ports/clock.port.js';
import type { Ids } from '../../ports/ids.port.js';
import type { Signer } from '../../ports/signer.port.js';
import type { Storage } from '../../ports/storage.port.js';
import type { Config } from '../config.js';

/** Admin bearer tokens last 24 hours (admin-ui-and-api.txt, "Tokens expire after 24 hours"). */
export const ADMIN_TOKEN_TTL_MS = 24 * 60 * 60 * 1000;
/** The settings key of the random salt that, with the access code, keys token signatures. */
export const ADMIN_TOKEN_SALT_SETTING = 'adminTokenSalt';
const TOKEN_PREFIX = 'v1';

export interface AdminAuthDeps {
  config: Pick<Config, 'adminAccessCode'>;
  storage: Storage;
  clock: Clock;
  ids: Ids;
}

export interface AdminSession {
  token: string;
  /** Epoch milliseconds. */
  expiresAt: number;
}

export type AdminAuthError = { kind: 'notFound' } | { kind: 'badAccessCode' };

export interface AdminAuthService {
  /** False when ADMIN_ACCESS_CODE is unset: the admin surface then does not exist. */
  readonly enabled: boolean;
  login(code: string): Promise<Result<AdminSession, AdminAuthError>>;
  /** True for a token this orchestrator (or one sharing its storage and code) issued and that has not expired. */
  verify(token: string): Promise<boolean>;
}

/**
 * Stateless admin sessions: a token is `v1.<expiresAt>.<nonce>.<hmac>`. The HMAC key is
 * derived from the access code and a random salt kept in storage settings, so tokens
 * survive a restart, replicas sharing storage accept each other's tokens, and changing the
 * access code revokes every token at once.
 */
export function createAdminAuthService({ config, storage, clock, ids }: AdminAuthDeps): AdminAuthService {
  const accessCode = config.adminAccessCode;
  let signer: Promise<Signer> | undefined;

  const getSigner = (code: string) => {
    signer ??= loadSalt(storage, ids).then((salt) => createHmacSigner(deriveKey(code, salt, 'admin-token')));
    // A failed load is retried on the next call rather than cached forever.
    signer.catch(() => {
      signer = undefined;
    });
    return signer;
  };

  return {
    enabled: accessCode !== undefined,

    async login(code) {
      if (accessCode === undefined) return err({ kind: 'notFound' });
      if (!constantTimeEqual(code, accessCode)) return err({ kind: 'badAccessCode' });
      const expiresAt = clock.now() + ADMIN_TOKEN_TTL_MS;
      const payload = `${TOKEN_PREFIX}.${expiresAt}.${ids.randomToken(16)}`;
      const s = await getSigner(accessCode);
      return ok({ token: `${payload}.${s.sign(payload)}`, expiresAt });
    },

    async verify(token) {
      if (accessCode === undefined) return false;
      const parts = token.split('.');
      if (parts.length !== 4 || parts[0] !== TOKEN_PREFIX) return false;
      const [, expires, nonce, signature] = parts as [string, string, string, string];
      if (!/^\d{1,16}$/.test(expires) || nonce === '' || signature === '') return false;
      const s = await getSigner(accessCode);
      if (!s.verify(`${TOKEN_PREFIX}.${expires}.${nonce}`, signature)) return false;
      return Number(expires) > clock.now();
    },
  };
}

async function loadSalt(storage: Storage, ids: Ids): Promise<string> {
  const stored = await storage.settings.get(ADMIN_TOKEN_SALT_SETTING);
  if (stored) return stored;
  await storage.settings.set(ADMIN_TOKEN_SALT_SETTING, ids.randomToken(32));
  // Read back: if another replica wrote at the same moment, everyone converges on one salt.
  const settled = await storage.settings.get(ADMIN_TOKEN_SALT_SETTING);
  if (!settled) throw new Error('admin token salt was not persisted by storage');
  return settled;
}

/** The bearer token of an `Authorization: Bearer …` header, if well-formed. */
export function bearerToken(header: string | null | undefined): string | undefined {
  const match = /^Bearer[ \t]+([^\s]+)[ \t]*$/i.exec(header ?? '');
  return match?.[1];
}
