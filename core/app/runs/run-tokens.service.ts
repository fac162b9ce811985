import { err, ok, type Result } from 'neverthrow';
import type { Clock } from '../../../ports/clock.port.js';
import type { Ids } from '../../../ports/ids.port.js';
import type { Signer, Signing } from '../../../ports/signer.port.js';
import { collection, type ReadFreshness, type Storage } from '../../../ports/storage.port.js';
import { fromBase64Url, toBase64Url } from '../../domain/base64url.js';
import { jobDeadline, resolveRunCaps } from '../../domain/caps.js';
import { isTerminal } from '../../domain/job-status.js';
import type { Job, Mapping, Phase } from '../../domain/model.js';
import type { CoreSettings } from '../core-settings.js';

/**
 * Run credentials — ARCHITECTURE.md "Callback protocol". At dispatch a run gets:
 * - a RESULT token: single-use, audience `/runner/result`;
 * - a PROGRESS token: multi-use, audiences `/runner/progress` and `/runner/planning-context`;
 * - a NONCE for `/api/token`, `/api/status` and `/api/step-report`, valid while its job is
 *   not terminal.
 *
 * A token is `ait1.<base64url JSON claims>.<HMAC-SHA256>` keyed from RUNNER_TOKEN_SECRET; the
 * claims bind it to the job, the phase, its audiences and an expiry (the job's maxJobMinutes
 * budget plus a margin). Tokens are stateless except for the result token's consumption, an
 * atomic `storage.claimOnce`, so any replica sharing the storage can verify and consume them.
 *
 * The nonce is an HMAC too (over a random id kept in the run record), so the orchestrator
 * can re-derive every credential a run received and redact it from what the run sends back;
 * only its SHA-256 is an index key.
 */

export const RESULT_AUDIENCE = '/runner/result';
export const PROGRESS_AUDIENCE = '/runner/progress';
export const PLANNING_CONTEXT_AUDIENCE = '/runner/planning-context';
export type RunAudience = typeof RESULT_AUDIENCE | typeof PROGRESS_AUDIENCE | typeof PLANNING_CONTEXT_AUDIENCE;

/** Tokens outlive the job's own budget by this much: a run may queue before it starts. */
export const TOKEN_EXPIRY_MARGIN_MS = 30 * 60_000;
/** The `error` body of every /runner/* endpoint while RUNNER_TOKEN_SECRET is unset (501). */
export const RUNNER_TOKENS_NOT_CONFIGURED = 'runner_tokens_not_configured';

const TOKEN_PREFIX = 'ait1';
const RUNS = collection<RunRecord>('run-credentials');
const NONCES = collection<{ jobId: string }>('run-nonces');
const NONCE_SALT_SETTING = 'runNonceSalt';
/** Runs whose re-derived credentials are kept in memory (a running job's are asked for on every progress call). */
const DERIVED_RUNS = 1000;
/** Signature-checked tokens kept in memory (each running job's progress token, mostly). */
const VERIFIED_TOKENS = 1000;

export type TokenKind = 'result' | 'progress';

/** Why a token is refused: the `error` of a 401 from /runner/*, and a security event's detail. */
export const TOKEN_ERROR_CODES = ['bad_signature', 'expired', 'malformed', 'wrong_audience', 'missing_bearer'] as const;
export type TokenErrorCode = (typeof TOKEN_ERROR_CODES)[number];

export interface TokenClaims {
  kind: TokenKind;
  /** Token id: what a single-use claim is keyed by. */
  jti: string;
  jobId: string;
  phase: Phase;
  aud: RunAudience[];
  /** Epoch ms. */
  exp: number;
}

export interface RunCredentials {
  /** Absent while RUNNER_TOKEN_SECRET is unset: the /runner/* endpoints then answer 501. */
  resultToken?: string;
  progressToken?: string;
  nonce: string;
  expiresAt: number;
}

/** What is kept per run: enough to re-derive every credential, nothing that is one. */
interface RunRecord {
  jobId: string;
  phase: Phase;
  issuedAt: number;
  expiresAt: number;
  resultJti: string;
  progressJti: string;
  nonceId: string;
}

export interface RunTokensDeps {
  config: Pick<CoreSettings, 'runnerTokenSecret'>;
  storage: Storage;
  clock: Clock;
  ids: Ids;
  signing: Signing;
}

export interface RunTokensService {
  /** False while RUNNER_TOKEN_SECRET is unset. */
  readonly configured: boolean;
  /** Mints and records a run's credentials (one call per dispatch). */
  issue(job: Job, mapping: Mapping): Promise<RunCredentials>;
  /** Checks an `Authorization` header for a token valid on `audience`. */
  verify(authorization: string | null | undefined, audience: RunAudience): Result<TokenClaims, TokenErrorCode>;
  /** Consumes a single-use token; false when it was consumed before (by any caller). */
  consume(claims: TokenClaims): Promise<boolean>;
  /** Gives a consumed token back: what it was consumed for did not happen (the store failed first). */
  release(claims: TokenClaims): Promise<void>;
  /**
   * The job a nonce belongs to, while that job exists and is not terminal, the nonce is the
   * one of its current run record (a later dispatch gets a new one) and it has not expired.
   */
  jobForNonce(nonce: string): Promise<Job | undefined>;
  /**
   * Whether a token belongs to the job's current run (its id is the record's; a re-dispatch
   * mints new ones) and that run has not passed its expiry: an old run's token is dead.
   */
  isCurrent(claims: TokenClaims): Promise<boolean>;
  /**
   * `isCurrent` and `credentialValues` from one read of the run record: the credentials of
   * the job's current run when the token belongs to it, undefined when it does not. Asked at
   * every progress call: the record may be a `recent` read (ReadFreshness, storage.port.ts).
   */
  currentCredentials(claims: TokenClaims): Promise<string[] | undefined>;
  /** Every credential the run of `jobId` received, re-derived, for redaction. */
  credentialValues(jobId: string): Promise<string[]>;
  /** Drops a pruned job's credential records (its tokens have long expired). */
  forget(jobId: string): Promise<void>;
}

function encodeClaims(claims: TokenClaims): string {
  // A fixed key order: a token re-derived from its record is the same string.
  const ordered = {
    kind: claims.kind,
    jti: claims.jti,
    jobId: claims.jobId,
    phase: claims.phase,
    aud: claims.aud,
    exp: claims.exp,
  };
  return toBase64Url(JSON.stringify(ordered));
}

const PHASES: readonly string[] = ['planning', 'implementation', 'gap-analysis'];
const AUDIENCES: readonly string[] = [RESULT_AUDIENCE, PROGRESS_AUDIENCE, PLANNING_CONTEXT_AUDIENCE];

function decodeClaims(encoded: string): TokenClaims | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(encoded)) return undefined;
  const text = fromBase64Url(encoded);
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const c = value as Record<string, unknown>;
  if (c.kind !== 'result' && c.kind !== 'progress') return undefined;
  if (typeof c.jti !== 'string' || c.jti === '' || typeof c.jobId !== 'string' || c.jobId === '') return undefined;
  if (typeof c.phase !== 'string' || !PHASES.includes(c.phase)) return undefined;
  if (!Array.isArray(c.aud) || !c.aud.every((a) => typeof a === 'string' && AUDIENCES.includes(a))) return undefined;
  if (typeof c.exp !== 'number' || !Number.isSafeInteger(c.exp)) return undefined;
  return { kind: c.kind, jti: c.jti, jobId: c.jobId, phase: c.phase as Phase, aud: c.aud as RunAudience[], exp: c.exp };
}

/** The bearer credential of an `Authorization` header, when the header is `Bearer <token>`. */
export function bearerOf(header: string | null | undefined): string | undefined {
  return /^Bearer[ \t]+([^\s]+)[ \t]*$/i.exec(header ?? '')?.[1];
}

export function createRunTokensService({ config, storage, clock, ids, signing }: RunTokensDeps): RunTokensService {
  const secret = config.runnerTokenSecret;
  const tokenSigner: Signer | undefined = secret ? signing.signer(secret, 'ai-implement', 'run-token') : undefined;
  const sha256 = signing.digest;
  let nonceSigner: Promise<Signer> | undefined;

  /**
   * The nonce key: RUNNER_TOKEN_SECRET with a stored salt (shared by replicas). Without the
   * secret only shadow runs (which never call back) exist, and the key is a random one of this
   * process: nothing in the store alone can re-derive a nonce.
   */
  const getNonceSigner = () => {
    nonceSigner ??= secret
      ? loadSalt(storage, ids).then((salt) => signing.signer(secret, salt, 'run-nonce'))
      : Promise.resolve(signing.signer(ids.randomToken(32), ids.randomToken(16), 'run-nonce'));
    nonceSigner.catch(() => {
      nonceSigner = undefined;
    });
    return nonceSigner;
  };

  const tokenFor = (signer: Signer, claims: TokenClaims) => {
    const payload = `${TOKEN_PREFIX}.${encodeClaims(claims)}`;
    return `${payload}.${signer.sign(payload)}`;
  };
  const resultClaims = (r: RunRecord): TokenClaims => ({
    kind: 'result',
    jti: r.resultJti,
    jobId: r.jobId,
    phase: r.phase,
    aud: [RESULT_AUDIENCE],
    exp: r.expiresAt,
  });
  const progressClaims = (r: RunRecord): TokenClaims => ({
    kind: 'progress',
    jti: r.progressJti,
    jobId: r.jobId,
    phase: r.phase,
    aud: [PROGRESS_AUDIENCE, PLANNING_CONTEXT_AUDIENCE],
    exp: r.expiresAt,
  });
  const nonceFor = (signer: Signer, r: RunRecord) => signer.sign(`nonce.${r.jobId}.${r.nonceId}`);

  /**
   * `Authorization` headers whose token's signature checked out, with its claims: a progress
   * token comes back on every call of its run, and the check (decode, parse, HMAC, compare) is
   * the same each time. Audience and expiry are still checked per call.
   */
  const verified = new Map<string, TokenClaims>();
  /**
   * Credentials re-derived per run record (three HMACs each time otherwise), the latest runs',
   * by job: the record they were derived from is kept to tell a later dispatch's apart.
   */
  const derived = new Map<string, { record: RunRecord; values: readonly string[] }>();
  /** At once when they are kept: a running job's progress calls wait for nothing here. */
  const credentialsOf = (r: RunRecord): string[] | Promise<string[]> => {
    const known = derived.get(r.jobId);
    return known && sameRecord(known.record, r) ? [...known.values] : derive(r);
  };
  const derive = async (r: RunRecord): Promise<string[]> => {
    const values = [nonceFor(await getNonceSigner(), r)];
    if (tokenSigner) values.push(tokenFor(tokenSigner, resultClaims(r)), tokenFor(tokenSigner, progressClaims(r)));
    derived.delete(r.jobId);
    derived.set(r.jobId, { record: { ...r }, values });
    if (derived.size > DERIVED_RUNS) derived.delete(derived.keys().next().value as string);
    return [...values];
  };
  /** The job's run record when `claims` are of its current run and it has not expired. */
  const currentRecord = async (claims: TokenClaims, freshness?: ReadFreshness): Promise<RunRecord | undefined> => {
    const record = await storage.documents.get(RUNS, claims.jobId, freshness);
    if (!record || record.expiresAt <= clock.now()) return undefined;
    return claims.jti === (claims.kind === 'result' ? record.resultJti : record.progressJti) ? record : undefined;
  };

  return {
    configured: tokenSigner !== undefined,

    async forget(jobId) {
      const record = await storage.documents.get(RUNS, jobId);
      if (!record) return;
      await storage.documents.delete(NONCES, sha256(nonceFor(await getNonceSigner(), record)));
      await storage.documents.delete(RUNS, jobId);
    },

    async issue(job, mapping) {
      const now = clock.now();
      const record: RunRecord = {
        jobId: job.id,
        phase: job.phase,
        issuedAt: now,
        expiresAt: jobDeadline(Math.max(now, job.dispatchedAt), resolveRunCaps(mapping)) + TOKEN_EXPIRY_MARGIN_MS,
        resultJti: ids.randomToken(16),
        progressJti: ids.randomToken(16),
        nonceId: ids.randomToken(16),
      };
      const nonce = nonceFor(await getNonceSigner(), record);
      await storage.documents.put(RUNS, job.id, record);
      await storage.documents.put(NONCES, sha256(nonce), { jobId: job.id });
      const credentials: RunCredentials = { nonce, expiresAt: record.expiresAt };
      if (tokenSigner) {
        credentials.resultToken = tokenFor(tokenSigner, resultClaims(record));
        credentials.progressToken = tokenFor(tokenSigner, progressClaims(record));
      }
      return credentials;
    },

    verify(authorization, audience) {
      // Looked up by the whole header first: a run sends the same one on every call, and taking
      // the token out of it (a regexp over some 250 characters) cost more than the lookup.
      let claims = authorization ? verified.get(authorization) : undefined;
      if (!claims) {
        const token = bearerOf(authorization);
        if (!token) return err('missing_bearer');
        if (!tokenSigner) return err('bad_signature');
        const parts = token.split('.');
        if (parts.length !== 3 || parts[0] !== TOKEN_PREFIX || !parts[2]) return err('malformed');
        claims = decodeClaims(parts[1] ?? '');
        if (!claims) return err('malformed');
        if (!tokenSigner.verify(`${parts[0]}.${parts[1]}`, parts[2])) return err('bad_signature');
        verified.set(authorization as string, claims);
        if (verified.size > VERIFIED_TOKENS) verified.delete(verified.keys().next().value as string);
      }
      claims = { ...claims, aud: [...claims.aud] };
      if (!claims.aud.includes(audience)) return err('wrong_audience');
      if (claims.exp <= clock.now()) return err('expired');
      return ok(claims);
    },

    async consume(claims) {
      // The claim outlives the token a little; after that the token is refused as expired.
      const ttl = Math.max(1, claims.exp - clock.now() + TOKEN_EXPIRY_MARGIN_MS);
      return storage.claims.claimOnce(claimKey(claims), ttl);
    },

    release(claims) {
      return storage.claims.release(claimKey(claims));
    },

    async jobForNonce(nonce) {
      if (nonce === '') return undefined;
      const entry = await storage.documents.get(NONCES, sha256(nonce));
      if (!entry) return undefined;
      const record = await storage.documents.get(RUNS, entry.jobId);
      if (!record || record.expiresAt <= clock.now()) return undefined;
      // The nonce of an earlier dispatch of the same job still has its entry: only the current one counts.
      if (sha256(nonceFor(await getNonceSigner(), record)) !== sha256(nonce)) return undefined;
      const job = await storage.jobs.get(entry.jobId);
      return job && !isTerminal(job.status) ? job : undefined;
    },

    async isCurrent(claims) {
      return (await currentRecord(claims)) !== undefined;
    },

    async currentCredentials(claims) {
      const record = await currentRecord(claims, 'recent');
      return record && credentialsOf(record);
    },

    async credentialValues(jobId) {
      const record = await storage.documents.get(RUNS, jobId);
      return record ? credentialsOf(record) : [];
    },
  };
}

/** The single-use claim of a token. */
const claimKey = (claims: TokenClaims) => `run-token:${claims.kind}:${claims.jti}`;

/** Whether two run records derive the same credentials (every field a credential is made from). */
function sameRecord(a: RunRecord, b: RunRecord): boolean {
  return (
    a.jobId === b.jobId &&
    a.phase === b.phase &&
    a.expiresAt === b.expiresAt &&
    a.resultJti === b.resultJti &&
    a.progressJti === b.progressJti &&
    a.nonceId === b.nonceId
  );
}

async function loadSalt(storage: Storage, ids: Ids): Promise<string> {
  const stored = await storage.settings.get(NONCE_SALT_SETTING);
  if (stored) return stored;
  await storage.settings.set(NONCE_SALT_SETTING, ids.randomToken(32));
  // Read back: replicas racing to write converge on whichever salt landed.
  const settled = await storage.settings.get(NONCE_SALT_SETTING);
  if (!settled) throw new Error('run nonce salt was not persisted by storage');
  return settled;
}
