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
  /** Told once each time the store turns unavailable (not per failed operation); must not throw. */
  onUnavailable?: (status: { since: number; reason: string }) => void;
}

/** The setting a probe reads: any key will do; reading a missing one is cheap on every store. */
const PROBE_KEY = 'storage-availability-probe';
const DEFAULT_PROBE_TIMEOUT_MS = 1_000;
/** After a failure, the store counts as available again on a success at least this long after it. */
export const RECOVERY_QUIET_MS = 5_000;

/**
 * Wraps every operation of `storage`: a failure of the store itself (a StorageError) is rethrown
 * as a `StorageUnavailableError`, and the status turns unavailable; a success at least
 * `RECOVERY_QUIET_MS` after the last failure turns it available again (so a full disk, where
 * reads work and writes fail, does not flap). The log says it once per change of state, never
 * once per failed operation. Closing is passed through untouched.
 */
export function watchStorage(
  storage: Storage,
  options: WatchStorageOptions,
): { storage: Storage; availability: StorageAvailability } {
  const { description, logger, now } = options;
  let status: StorageStatus = { available: true, since: now() };
  let closing = false;

  let lastFailureAt = Number.NEGATIVE_INFINITY;
  const succeeded = () => {
    if (status.available) return;
    // A read that works between writes that fail (a full disk) is no recovery: the store is
    // available again only once it has not failed for a while.
    const at = now();
    if (at - lastFailureAt < RECOVERY_QUIET_MS) return;
    status = { available: true, since: at };
    logger.info('storage available again', { store: description });
  };
  const failed = (reason: string) => {
    if (closing) return;
    lastFailureAt = now();
    if (!status.available) {
      status = { ...status, reason };
      return;
    }
    status = { available: false, since: now(), reason };
    logger.error('storage unavailable', { store: description, reason });
    try {
      options.onUnavailable?.({ since: status.since, reason });
    } catch {
      // A listener's failure changes nothing about the store.
    }
  };

  // The two outcomes of every operation, made once (not a pair of closures per operation).
  const passed = <T>(value: T): T => {
    succeeded();
    return value;
  };
  const refused = (error: unknown): never => {
    // Only the store's own failures (a StorageError, per the port) say it is unavailable;
    // anything else is a bug and goes on as it is (a logged 500).
    if (!(error instanceof StorageError) || closing) throw error;
    const reason = messageOf(error);
    failed(reason);
    throw error instanceof StorageUnavailableError ? error : new StorageUnavailableError(reason, error);
  };
  const guarded: Guard = (operation, target, args) => operation.apply(target, args).then(passed, refused);

  const close = () => {
    closing = true;
    return storage.close();
  };
  const wrapped = guardMethods(storage, guarded, { close }) as Storage;

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
 * `source` seen through a proxy: its methods run through `guard` (bound to `source`), its object
 * properties (the sub-stores) are guarded the same way. The proxy's own properties (`own`: the
 * close that marks closing; whatever a caller defines on it) come first. A proxy rather than a
 * copy, so a store whose methods are found only on access (a prototype, a proxy of its own) is
 * guarded all the same.
 */
/** Runs `operation` on `target` with `args`, watching its outcome. */
type Guard = (operation: (...args: unknown[]) => Promise<unknown>, target: object, args: unknown[]) => Promise<unknown>;

function guardMethods(source: object, guard: Guard, own: object = {}): object {
  // Per property: the value it had and its guarded form, remade only if the value changes.
  const cache = new Map<PropertyKey, { value: unknown; wrapped: unknown }>();
  return new Proxy(own, {
    has: (shell, key) => key in shell || key in source,
    get(shell, key) {
      if (Object.hasOwn(shell, key)) return Reflect.get(shell, key);
      const value = Reflect.get(source, key) as unknown;
      if (typeof value !== 'function' && (value === null || typeof value !== 'object')) return value;
      const cached = cache.get(key);
      if (cached?.value === value) return cached.wrapped;
      const wrapped =
        typeof value === 'function'
          ? (...args: unknown[]) => guard(value as (...a: unknown[]) => Promise<unknown>, source, args)
          : guardMethods(value as object, guard);
      cache.set(key, { value, wrapped });
      return wrapped;
    },
  });
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
