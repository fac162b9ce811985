import type { Logger } from '../../ports/logger.port.js';
import { type Storage, StorageError } from '../../ports/storage.port.js';

/** A store that failed an operation (down, unreachable, disk full): HTTP answers 503 `Storage unavailable`. */
export class StorageUnavailableError extends StorageError {}

export interface StorageStatus {
  available: boolean;
  /** Epoch ms of the last change of `available` (or of the watch's start). */
  since: number;
  /** Why the last operation failed, while unavailable. */
  reason?: string;
}

/** The store as this process last found it; what /readyz and the log report. */
export interface StorageAvailability {
  /** Names the store for an operator: "PostgreSQL at postgres://…@db:5432/app" (never a password). */
  readonly description: string;
  /** The kind alone ("PostgreSQL"), for answers anyone may read. */
  readonly kind: string;
  status(): StorageStatus;
  /** Asks the store (a read) and answers within `timeoutMs`; the status follows the answer. */
  probe(timeoutMs?: number): Promise<StorageStatus>;
}

export interface WatchStorageOptions {
  description: string;
  kind: string;
  logger: Logger;
  now: () => number;
}

/** The setting a probe reads: any key will do; reading a missing one is cheap on every store. */
const PROBE_KEY = 'storage-availability-probe';
const DEFAULT_PROBE_TIMEOUT_MS = 1_000;

/**
 * Wraps every operation of `storage`: a failure of the store itself (not a RangeError, which is
 * a caller's bug) is rethrown as a `StorageUnavailableError`, and the status turns unavailable;
 * the next success turns it available again. The log says it once per change of state, never
 * once per failed operation. Closing is passed through untouched.
 */
export function watchStorage(
  storage: Storage,
  options: WatchStorageOptions,
): { storage: Storage; availability: StorageAvailability } {
  const { description, logger, now } = options;
  let status: StorageStatus = { available: true, since: now() };
  let closing = false;

  const succeeded = () => {
    if (status.available) return;
    status = { available: true, since: now() };
    logger.info('storage available again', { store: description });
  };
  const failed = (reason: string) => {
    if (closing) return;
    if (!status.available) {
      status = { ...status, reason };
      return;
    }
    status = { available: false, since: now(), reason };
    logger.error('storage unavailable', { store: description, reason });
  };

  const guarded = <T>(call: () => Promise<T>): Promise<T> =>
    call().then(
      (value) => {
        succeeded();
        return value;
      },
      (error: unknown) => {
        if (error instanceof RangeError || closing) throw error;
        const reason = messageOf(error);
        failed(reason);
        throw error instanceof StorageUnavailableError ? error : new StorageUnavailableError(reason, error);
      },
    );

  const wrapped = wrapMethods(storage, guarded, (sub) => wrapMethods(sub, guarded)) as unknown as Storage;
  const close = storage.close.bind(storage);
  (wrapped as { close: Storage['close'] }).close = () => {
    closing = true;
    return close();
  };

  const availability: StorageAvailability = {
    description,
    kind: options.kind,
    status: () => ({ ...status }),
    async probe(timeoutMs = DEFAULT_PROBE_TIMEOUT_MS) {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((resolve) => {
        timer = setTimeout(() => resolve('late'), timeoutMs);
        timer.unref?.();
      });
      try {
        const answer = await Promise.race([wrapped.settings.get(PROBE_KEY).then(() => 'ok' as const), late]);
        if (answer === 'late') failed(`no answer within ${timeoutMs} ms`);
      } catch {
        // The failure has set the status.
      } finally {
        clearTimeout(timer);
      }
      return { ...status };
    },
  };
  return { storage: wrapped, availability };
}

/**
 * A copy of `target` whose function properties run through `guard` (bound to `target`) and
 * whose object properties (the sub-stores) go through `nested`. Other properties and the
 * prototype's extras (a snapshot import) are carried over as they are.
 */
function wrapMethods(
  target: object,
  guard: <T>(call: () => Promise<T>) => Promise<T>,
  nested?: (sub: object) => object,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of allKeys(target)) {
    const value = (target as Record<string, unknown>)[key];
    if (typeof value === 'function') {
      out[key] = (...args: unknown[]) => guard(() => (value as (...a: unknown[]) => Promise<unknown>).apply(target, args));
    } else if (nested && value !== null && typeof value === 'object') {
      out[key] = nested(value);
    } else {
      out[key] = value;
    }
  }
  return out;
}

/** Own and inherited enumerable-or-method keys, without Object's own. */
function allKeys(target: object): string[] {
  const keys = new Set<string>();
  for (let o: object | null = target; o && o !== Object.prototype; o = Object.getPrototypeOf(o)) {
    for (const key of Object.getOwnPropertyNames(o)) if (key !== 'constructor') keys.add(key);
  }
  return [...keys];
}

function messageOf(error: unknown): string {
  const cause = error instanceof StorageError && error.cause instanceof Error ? error.cause : undefined;
  const text = error instanceof Error ? error.message : String(error);
  const code = (cause as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && !text.includes(code) ? `${text} (${code})` : text;
}

/** True when `error` (or what h3 wrapped it in) is a failure of the store. */
export function isStorageUnavailable(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e instanceof StorageUnavailableError) return true;
  }
  return false;
}
