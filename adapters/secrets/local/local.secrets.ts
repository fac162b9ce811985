import { err, ok, type Result, ResultAsync } from 'neverthrow';
import type { ServiceError } from '../../../ports/errors.js';
import type { Secrets } from '../../../ports/secrets.port.js';
import {
  deriveKek,
  freshKdf,
  isCurrentScrypt,
  type KdfParams,
  type KeyDerivation,
  newDataKey,
  newKeyId,
  open,
  openBytes,
  seal,
  wrapAad,
} from './secret-cipher.js';
import {
  HEADER_KEY,
  type HeaderV1,
  type HeaderV2,
  parseHeader,
  parseSealedValue,
  type Slot,
  sealedValue,
  V1_CHECK_AAD,
  V1_CHECK_PLAINTEXT,
} from './secret-store-format.js';

/** One operator secret that may open the store: its data key is wrapped once per unlocker. */
export interface SecretUnlocker {
  /** The slot's name, shown in errors (the variable's name, e.g. `RUNNER_TOKEN_SECRET`); never the value. */
  slot: string;
  secret: string | Uint8Array;
  /** `scrypt` for a human-chosen secret, `hkdf` for a random machine secret (secret-cipher.ts). */
  kdf: KeyDerivation;
}

export interface LocalSecretsOptions {
  /** Every operator secret that may open the store; at least one. */
  unlockers: readonly SecretUnlocker[];
  /** Reads the persisted record; `undefined` when nothing was saved yet. */
  load(): Promise<Record<string, string> | undefined>;
  /** Replaces the persisted record. Only ciphertext, wrapped keys and names reach it, never a plaintext value. */
  save(data: Record<string, string>): Promise<void>;
}

export interface LocalSecrets extends Secrets {
  /**
   * Re-encrypts every value under a new random data key (a new key id) and wraps that key under
   * the current unlockers only, in one save: a leaked data key, or an operator secret no longer
   * configured, opens nothing afterwards.
   */
  rotate(): ResultAsync<{ keyId: string; count: number }, ServiceError>;
}

interface Opened {
  header: HeaderV2;
  dek: Buffer;
  entries: Record<string, string>;
  /** The header changed while opening (a slot re-wrapped, a v1 store upgraded): save it. */
  dirty: boolean;
}

/** A store nothing was ever saved in: no entries, so no key is needed to read it. */
const EMPTY: Opened = { header: { v: 2, keyId: '', slots: {} }, dek: Buffer.alloc(0), entries: {}, dirty: false };

const failure = (kind: 'auth' | 'invalid' | 'notFound' | 'unavailable', message: string): Result<never, ServiceError> =>
  err({ kind, message } as ServiceError);

/**
 * Secrets kept by the orchestrator itself, encrypted at rest (secret-cipher.ts: AES-256-GCM under
 * a random data key, wrapped under each unlocker's derived key; secret-store-format.ts for the
 * record). The record sits on any key-value persistence through `load`/`save` (the Storage port).
 * Any one unlocker opens the store; an unlocker whose slot is missing or no longer opens (its
 * secret changed) is wrapped again on that open, so changing one operator secret at a time never
 * loses the store. When none opens it, every operation answers `auth` and nothing is written.
 * Operations of one instance run one after another, so concurrent `set`s do not lose each other.
 */
export function createLocalSecrets(options: LocalSecretsOptions): LocalSecrets {
  const unlockers = options.unlockers.filter((u) => u.secret.length > 0);
  if (unlockers.length === 0) throw new Error('createLocalSecrets: at least one non-empty unlocker is needed');
  const keks = new Map<string, Promise<Buffer>>();
  let queue: Promise<unknown> = Promise.resolve();
  // One fresh key and slot set for a store not yet saved, so reading an empty store derives once.
  let fresh: Promise<Opened> | undefined;

  const serial = <T>(work: () => Promise<Result<T, ServiceError>>): ResultAsync<T, ServiceError> => {
    const run = queue.then(work);
    queue = run.catch(() => undefined);
    return new ResultAsync(
      run.catch((cause: unknown) => err<T, ServiceError>({ kind: 'invalid', message: `secret store: ${describe(cause)}` })),
    );
  };

  const kekFor = (unlocker: SecretUnlocker, params: KdfParams): Promise<Buffer> => {
    const cacheKey = JSON.stringify([unlocker.slot, params.kdf, params.salt, params.N, params.r, params.p]);
    let kek = keks.get(cacheKey);
    if (!kek) {
      kek = deriveKek(unlocker.secret, params);
      keks.set(cacheKey, kek);
      kek.catch(() => keks.delete(cacheKey));
    }
    return kek;
  };

  const wrapFor = async (unlocker: SecretUnlocker, keyId: string, dek: Buffer): Promise<Slot> => {
    const params = freshKdf(unlocker.kdf);
    return { ...params, wrapped: seal(await kekFor(unlocker, params), wrapAad(unlocker.slot, keyId), dek) };
  };

  const newStore = async (entries: Record<string, string>): Promise<Opened> => {
    const dek = newDataKey();
    const keyId = newKeyId();
    const slots: Record<string, Slot> = {};
    for (const unlocker of unlockers) slots[unlocker.slot] = await wrapFor(unlocker, keyId, dek);
    return { header: { v: 2, keyId, slots }, dek, entries, dirty: true };
  };

  const unwrap = async (header: HeaderV2): Promise<Buffer | undefined> => {
    for (const unlocker of unlockers) {
      const slot = header.slots[unlocker.slot];
      if (!slot) continue;
      const dek = openBytes(await kekFor(unlocker, slot), wrapAad(unlocker.slot, header.keyId), slot.wrapped);
      if (dek?.length === 32) return dek;
    }
    return undefined;
  };

  const openV2 = async (header: HeaderV2, entries: Record<string, string>): Promise<Result<Opened, ServiceError>> => {
    const dek = await unwrap(header);
    if (!dek) return failure('auth', `none of the configured keys (${slotNames(unlockers)}) opens this secret store`);
    const slots = { ...header.slots };
    let dirty = false;
    for (const unlocker of unlockers) {
      const slot = slots[unlocker.slot];
      // A slot of an earlier scrypt setting is wrapped again under the current one, without
      // deriving its old (larger) key when another slot opened the store.
      const current = slot && (slot.kdf !== 'scrypt' || isCurrentScrypt(slot));
      const opens = current && openBytes(await kekFor(unlocker, slot), wrapAad(unlocker.slot, header.keyId), slot.wrapped);
      if (!opens) {
        slots[unlocker.slot] = await wrapFor(unlocker, header.keyId, dek);
        dirty = true;
      }
    }
    return ok({ header: { ...header, slots }, dek, entries, dirty });
  };

  /** A store of an earlier version: opened with the v1 key of whichever unlocker made it, then rewritten as v2. */
  const upgradeV1 = async (header: HeaderV1, entries: Record<string, string>): Promise<Result<Opened, ServiceError>> => {
    let key: Buffer | undefined;
    for (const unlocker of unlockers) {
      const candidate = await kekFor(unlocker, { kdf: 'scrypt', salt: header.salt, N: header.N, r: header.r, p: header.p });
      if (open(candidate, V1_CHECK_AAD, header.check) === V1_CHECK_PLAINTEXT) key = candidate;
      if (key) break;
    }
    if (!key) return failure('auth', `none of the configured keys (${slotNames(unlockers)}) opens this secret store`);
    const plain: Record<string, string> = byName();
    for (const [name, value] of Object.entries(entries)) {
      const opened = value.startsWith('v1.') ? open(key, name, value.slice(3)) : undefined;
      if (opened === undefined) return failure('invalid', `secret ${name} is damaged and cannot be opened`);
      plain[name] = opened;
    }
    const store = await newStore(byName());
    for (const [name, value] of Object.entries(plain)) store.entries[name] = sealWith(store, name, value);
    return ok(store);
  };

  /** Opens the store; a store never saved opens as `EMPTY` (no key derived) unless `create`, for a first `set`. */
  const openStore = async (create: boolean): Promise<Result<Opened, ServiceError>> => {
    let data: Record<string, string> | undefined;
    try {
      data = await options.load();
    } catch (cause) {
      return failure('unavailable', `secret store load failed: ${describe(cause)}`);
    }
    const { [HEADER_KEY]: rawHeader, ...entries } = data ?? {};
    if (rawHeader === undefined) {
      if (Object.keys(entries).length > 0) return failure('invalid', 'secret store has entries but no header');
      // Reading a store nothing was ever set in needs no key: no scrypt on every first dispatch.
      if (!create) return ok(EMPTY);
      fresh ??= newStore({});
      const store = await fresh;
      // Not dirty: nothing is saved until the `set` that asked for it.
      return ok({ ...store, entries: {}, dirty: false });
    }
    const header = parseHeader(rawHeader);
    if (!header) return failure('invalid', 'secret store header is damaged');
    return header.v === 1 ? upgradeV1(header, entries) : openV2(header, entries);
  };

  const persist = async (store: Opened): Promise<Result<void, ServiceError>> => {
    try {
      await options.save({ [HEADER_KEY]: JSON.stringify(store.header), ...store.entries });
      fresh = undefined;
      return ok(undefined);
    } catch (cause) {
      return failure('unavailable', `secret store save failed: ${describe(cause)}`);
    }
  };

  /** Opens the store and saves a changed header before `work` reads it (a re-wrapped slot, an upgrade). */
  const withStore = async <T>(
    work: (store: Opened) => Promise<Result<T, ServiceError>> | Result<T, ServiceError>,
    create = false,
  ) => {
    const opened = await openStore(create);
    if (opened.isErr()) return err<T, ServiceError>(opened.error);
    const store = opened.value;
    // Saved even without entries, so a re-wrapped slot is not derived again on every open.
    if (store.dirty) {
      const saved = await persist(store);
      if (saved.isErr()) return err<T, ServiceError>(saved.error);
    }
    return work(store);
  };

  const openValue = (store: Opened, name: string): Result<string, ServiceError> => {
    const parsed = parseSealedValue(Object.hasOwn(store.entries, name) ? (store.entries[name] ?? '') : '');
    const value = parsed?.keyId === store.header.keyId ? open(store.dek, name, parsed.sealed) : undefined;
    return value === undefined ? failure('invalid', `secret ${name} is damaged and cannot be opened`) : ok(value);
  };

  return {
    list: () => serial(() => withStore((store) => ok(Object.keys(store.entries).sort()))),

    set: (name, value) =>
      serial(() =>
        withStore((store) => persist({ ...store, entries: { ...store.entries, [name]: sealWith(store, name, value) } }), true),
      ),

    remove: (name) =>
      serial(() =>
        withStore((store) => {
          if (!Object.hasOwn(store.entries, name)) return failure('notFound', 'Secret not found');
          const { [name]: _removed, ...rest } = store.entries;
          return persist({ ...store, entries: rest });
        }),
      ),

    reveal: (names) =>
      serial(() =>
        withStore((store) => {
          const revealed: Record<string, string> = byName();
          for (const name of names) {
            if (!Object.hasOwn(store.entries, name)) continue;
            const value = openValue(store, name);
            if (value.isErr()) return err(value.error);
            revealed[name] = value.value;
          }
          return ok(revealed);
        }),
      ),

    rotate: () =>
      serial(() =>
        withStore(async (store) => {
          const rotated = await newStore(byName());
          for (const name of Object.keys(store.entries)) {
            const value = openValue(store, name);
            if (value.isErr()) return err(value.error);
            rotated.entries[name] = sealWith(rotated, name, value.value);
          }
          const saved = await persist(rotated);
          return saved.map(() => ({ keyId: rotated.header.keyId, count: Object.keys(rotated.entries).length }));
        }),
      ),
  };
}

/**
 * A map keyed by secret name with no prototype: a name that JavaScript objects carry
 * (`__proto__`, `constructor`, `toString`) is an ordinary key, never the prototype or an
 * inherited member. Lookups go through `Object.hasOwn`.
 */
function byName<T = string>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

function sealWith(store: Pick<Opened, 'header' | 'dek'>, name: string, value: string): string {
  return sealedValue(store.header.keyId, seal(store.dek, name, value));
}

function slotNames(unlockers: readonly SecretUnlocker[]): string {
  return unlockers.map((u) => u.slot).join(', ');
}

function describe(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}
