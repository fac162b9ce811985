import { errAsync, okAsync, ResultAsync } from 'neverthrow';
import type { ServiceError } from '../../../ports/errors.js';
import type { Secrets } from '../../../ports/secrets.port.js';
import { deriveKey, keyMatches, newHeader, newSalt, open, SCRYPT_PARAMS, type StoreHeader, seal } from './secret-cipher.js';

export interface LocalSecretsOptions {
  /** The operator's master secret; the encryption key is derived from it with scrypt. */
  masterKey: string | Uint8Array;
  /** Reads the persisted record; `undefined` when nothing was saved yet. */
  load(): Promise<Record<string, string> | undefined>;
  /** Replaces the persisted record. Only ciphertext and names reach it, never a plaintext value. */
  save(data: Record<string, string>): Promise<void>;
}

/** The header entry's key; `$` cannot occur in a secret name (letters, digits, underscores). */
const HEADER_KEY = '$store';

interface Opened {
  header: StoreHeader;
  key: Buffer;
  entries: Record<string, string>;
}

/**
 * Secrets kept by the orchestrator itself, encrypted at rest (AES-256-GCM, scrypt-derived key).
 * The persisted record maps each name to its sealed value, plus one header entry holding the
 * salt and a check value; it sits on any key-value persistence through `load`/`save` (the Storage
 * port, a file). A master key that did not create the store is refused with `auth` before any
 * read or write. Operations of one instance run one after another, so concurrent `set`s do not
 * lose each other.
 */
export function createLocalSecrets(options: LocalSecretsOptions): Secrets {
  if (options.masterKey.length === 0) throw new Error('createLocalSecrets: masterKey must not be empty');
  const keys = new Map<string, Promise<Buffer>>();
  let queue: Promise<unknown> = Promise.resolve();
  // One salt for a store not yet saved, so reading an empty store does not derive a key each time.
  const freshSalt = newSalt();

  /** Runs `work` after every earlier operation of this instance has settled. */
  const serial = <T>(work: () => ResultAsync<T, ServiceError>): ResultAsync<T, ServiceError> => {
    const run = queue.then(() => work());
    queue = run.catch(() => undefined);
    return new ResultAsync(run.then((result) => result));
  };

  const keyFor = (header: Pick<StoreHeader, 'salt' | 'N' | 'r' | 'p'>) => {
    const cacheKey = `${header.salt}:${header.N}:${header.r}:${header.p}`;
    let key = keys.get(cacheKey);
    if (!key) {
      key = deriveKey(options.masterKey, header);
      keys.set(cacheKey, key);
    }
    return ResultAsync.fromPromise(
      key,
      (cause): ServiceError => ({ kind: 'invalid', message: `secret store key derivation failed: ${String(cause)}` }),
    );
  };

  /** Loads and unlocks the store; a fresh store gets a header (saved with its first write). */
  const openStore = (): ResultAsync<Opened, ServiceError> =>
    ResultAsync.fromPromise(
      options.load(),
      (cause): ServiceError => ({ kind: 'unavailable', message: `secret store load failed: ${String(cause)}` }),
    ).andThen((data) => {
      const { [HEADER_KEY]: rawHeader, ...entries } = data ?? {};
      if (rawHeader === undefined) {
        if (Object.keys(entries).length > 0)
          return errAsync<Opened, ServiceError>({ kind: 'invalid', message: 'secret store has entries but no header' });
        return keyFor({ salt: freshSalt, ...SCRYPT_PARAMS }).map((key) => ({ header: newHeader(key, freshSalt), key, entries }));
      }
      const header = parseHeader(rawHeader);
      if (!header) return errAsync<Opened, ServiceError>({ kind: 'invalid', message: 'secret store header is damaged' });
      return keyFor(header).andThen((key) =>
        keyMatches(key, header)
          ? okAsync({ header, key, entries })
          : errAsync<Opened, ServiceError>({ kind: 'auth', message: 'the master key does not open this secret store' }),
      );
    });

  const persist = (store: Opened) =>
    ResultAsync.fromPromise(
      options.save({ [HEADER_KEY]: JSON.stringify(store.header), ...store.entries }),
      (cause): ServiceError => ({ kind: 'unavailable', message: `secret store save failed: ${String(cause)}` }),
    );

  return {
    list: () => serial(() => openStore().map((store) => Object.keys(store.entries).sort())),

    set: (name, value) =>
      serial(() =>
        openStore().andThen((store) =>
          persist({ ...store, entries: { ...store.entries, [name]: seal(store.key, name, value) } }),
        ),
      ),

    remove: (name) =>
      serial(() =>
        openStore().andThen((store) => {
          if (!(name in store.entries)) return errAsync<void, ServiceError>({ kind: 'notFound', message: 'Secret not found' });
          const { [name]: _removed, ...rest } = store.entries;
          return persist({ ...store, entries: rest });
        }),
      ),

    reveal: (names) =>
      serial(() =>
        openStore().andThen((store) => {
          const revealed: Record<string, string> = {};
          for (const name of names) {
            const sealed = store.entries[name];
            if (sealed === undefined) continue;
            const value = open(store.key, name, sealed);
            if (value === undefined)
              return errAsync<Record<string, string>, ServiceError>({
                kind: 'invalid',
                message: `secret ${name} is damaged and cannot be opened`,
              });
            revealed[name] = value;
          }
          return okAsync(revealed);
        }),
      ),
  };
}

function parseHeader(raw: string): StoreHeader | undefined {
  try {
    const header = JSON.parse(raw) as Partial<StoreHeader>;
    const valid =
      header.v === 1 &&
      header.kdf === 'scrypt' &&
      typeof header.salt === 'string' &&
      typeof header.check === 'string' &&
      [header.N, header.r, header.p].every((n) => Number.isInteger(n) && (n as number) > 0);
    return valid ? (header as StoreHeader) : undefined;
  } catch {
    return undefined;
  }
}
