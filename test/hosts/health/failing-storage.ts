import { type Storage, StorageError } from '../../../ports/storage.port.js';

/** The operations that only read; every other one writes. */
const READS = new Set(['get', 'list', 'count', 'tally', 'current', 'isEmpty', 'snapshot']);

export interface FailingStorage {
  storage: Storage;
  /** While true every write rejects as a full disk would (ENOSPC); reads go on. */
  full: boolean;
  /** While true every operation rejects as an unreachable server would (ECONNREFUSED). */
  down: boolean;
}

/**
 * `real` behind a switch: a disk-full store (writes throw ENOSPC before reaching it) or a store
 * that is down. What reaches `real` is exactly what the caller was told succeeded.
 */
export function failingStorage(real: Storage): FailingStorage {
  const state: FailingStorage = { storage: undefined as unknown as Storage, full: false, down: false };
  const fail = (name: string) => {
    if (state.down) throw new StorageError(`storage ${name} failed: connect ECONNREFUSED`, errorWithCode('ECONNREFUSED'));
    if (state.full && !READS.has(name.split('.').pop() ?? ''))
      throw new StorageError(`storage ${name} failed: ENOSPC: no space left on device`, errorWithCode('ENOSPC'));
  };
  const wrap = (target: object, prefix: string): object =>
    new Proxy(target, {
      get(t, key, receiver) {
        const value = Reflect.get(t, key, receiver);
        const name = `${prefix}${String(key)}`;
        if (typeof value === 'function' && key !== 'close')
          return async (...args: unknown[]) => {
            fail(name);
            return (value as (...a: unknown[]) => unknown).apply(t, args);
          };
        if (value !== null && typeof value === 'object') return wrap(value, `${name}.`);
        return value;
      },
    });
  state.storage = wrap(real, '') as Storage;
  return state;
}

function errorWithCode(code: string): Error {
  return Object.assign(new Error(code), { code });
}
