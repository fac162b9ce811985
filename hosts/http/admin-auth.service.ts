import { createHash } from 'node:crypto';
import { err, ok, type Result } from 'neverthrow';
import { constantTimeEqual, createHmacSigner, deriveKey } from '../../adapters/system/hmac-signer.adapter.js';
import type { Clock } from '../../ports/clock.port.js';
import type { Ids } from '../../ports/ids.port.js';
import type { Logger } from '../../ports/logger.port.js';
import type { Signer } from '../../ports/signer.port.js';
import { collection, type Storage } from '../../ports/storage.port.js';
import type { Config } from '../config.js';
import { reconcileAccessCode } from './admin-access-code-epoch.js';

/** Admin bearer tokens last 24 hours (admin-ui-and-api.txt, "Tokens expire after 24 hours"). */
export const ADMIN_TOKEN_TTL_MS = 24 * 60 * 60 * 1000;
/** The settings key of the random salt that, with the access code, keys token signatures. */
export const ADMIN_TOKEN_SALT_SETTING = 'adminTokenSalt';
const TOKEN_PREFIX = 'v2';

/** One admin session: what the store keeps (never the token, never the access code). */
export interface AdminSessionRecord {
  id: string;
  createdAt: number;
  expiresAt: number;
}

/** The server-side admin sessions, on every store kind (documents of the Storage port). */
export const ADMIN_SESSIONS = collection<AdminSessionRecord>('admin-sessions');

export interface AdminAuthDeps {
  config: Pick<Config, 'adminAccessCode'>;
  storage: Storage;
  clock: Clock;
  ids: Ids;
  logger: Logger;
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
  /** A new session for the right code. */
  login(code: string): Promise<Result<AdminSession, AdminAuthError>>;
  /** True for the token of a session that exists in the store, has not expired and was signed under the current code. */
  verify(token: string): Promise<boolean>;
  /** Ends the token's session on the server; false when it was not a live session. */
  logout(token: string): Promise<boolean>;
  /** Ends every session; the number ended. */
  revokeAll(): Promise<number>;
  /** Resolves once the check this service starts in the background has ended, either way (before the store closes). */
  settled(): Promise<void>;
}

/**
 * Admin sessions held on the server: a token is `v2.<session id>.<hmac>`, and the session id is
 * a document of `admin-sessions` with its 24-hour expiry. Signing out deletes the document,
 * revoke-all deletes them all, and replicas sharing the storage see both at once. The HMAC key
 * is derived from the access code and a random salt kept in settings, so a changed access code
 * ends every session (every token was signed under the old one) and the store alone holds
 * nothing that makes a token. So that changing the code back cannot revive them, the first use
 * after a start compares a slow salted hash of the code with the one of the last start
 * (`admin-access-code-epoch.ts`, once, async) and, when the code changed, deletes every
 * session before any request is answered. Sign-in, sign-out and revocation are logged with a
 * short reference to the session, never the token.
 */
export function createAdminAuthService({ config, storage, clock, ids, logger }: AdminAuthDeps): AdminAuthService {
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

  /** The session id of a well-formed token, and whether its signature holds under the current code. */
  const parse = async (token: string): Promise<{ id: string; signed: boolean } | undefined> => {
    if (accessCode === undefined) return undefined;
    const parts = token.split('.');
    if (parts.length !== 3 || parts[0] !== TOKEN_PREFIX) return undefined;
    const [, id, signature] = parts as [string, string, string];
    if (!/^[A-Za-z0-9_-]{16,64}$/.test(id) || signature === '') return undefined;
    await ready();
    const s = await getSigner(accessCode);
    return { id, signed: s.verify(`${TOKEN_PREFIX}.${id}`, signature) };
  };

  const endAll = async () => {
    const sessions = await storage.documents.list(ADMIN_SESSIONS);
    for (const session of sessions) await storage.documents.delete(ADMIN_SESSIONS, session.id);
    return sessions.length;
  };

  /** Sessions of another access code ended, once per process (retried after a failure). */
  let reconciled: Promise<void> | undefined;
  const ready = () => {
    if (accessCode === undefined) return Promise.resolve();
    reconciled ??= reconcileAccessCode(storage, accessCode, endAll).then(({ changed, ended }) => {
      if (changed && ended > 0) logger.info('admin sessions ended: the access code changed', { count: ended });
    });
    reconciled.catch(() => {
      reconciled = undefined;
    });
    return reconciled;
  };
  // At start, in the background: the first request waits for it rather than pays for it.
  const started = ready().catch((error) =>
    logger.warn('admin access code check failed; retried on the next request', { error: String(error) }),
  );

  const pruneExpired = async () => {
    const now = clock.now();
    for (const session of await storage.documents.list(ADMIN_SESSIONS)) {
      if (session.expiresAt <= now) await storage.documents.delete(ADMIN_SESSIONS, session.id);
    }
  };

  return {
    enabled: accessCode !== undefined,

    async login(code) {
      if (accessCode === undefined) return err({ kind: 'notFound' });
      if (!constantTimeEqual(code, accessCode)) return err({ kind: 'badAccessCode' });
      await ready();
      await pruneExpired();
      const now = clock.now();
      const session: AdminSessionRecord = { id: ids.randomToken(24), createdAt: now, expiresAt: now + ADMIN_TOKEN_TTL_MS };
      await storage.documents.put(ADMIN_SESSIONS, session.id, session);
      const payload = `${TOKEN_PREFIX}.${session.id}`;
      const s = await getSigner(accessCode);
      logger.info('admin signed in', { session: sessionRef(session.id), expiresAt: new Date(session.expiresAt).toISOString() });
      return ok({ token: `${payload}.${s.sign(payload)}`, expiresAt: session.expiresAt });
    },

    async verify(token) {
      const parsed = await parse(token);
      // A token signed under another access code (the code changed) is refused, whatever the store holds.
      if (!parsed?.signed) return false;
      const session = await storage.documents.get(ADMIN_SESSIONS, parsed.id);
      return session !== undefined && session.expiresAt > clock.now();
    },

    async logout(token) {
      const parsed = await parse(token);
      if (!parsed?.signed) return false;
      const session = await storage.documents.get(ADMIN_SESSIONS, parsed.id);
      const live = session !== undefined && session.expiresAt > clock.now();
      await storage.documents.delete(ADMIN_SESSIONS, parsed.id);
      if (live) logger.info('admin signed out', { session: sessionRef(parsed.id) });
      return live;
    },

    async revokeAll() {
      await ready();
      const count = await endAll();
      logger.info('admin sessions revoked', { count });
      return count;
    },

    settled: () => started,
  };
}

/** A short, one-way reference to a session for the logs: enough to follow it, nothing to use. */
function sessionRef(id: string): string {
  return createHash('sha256').update(id).digest('base64url').slice(0, 12);
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
