import { StorageError } from '../../ports/storage.port.js';

/**
 * A deep copy as plain JSON: what a store keeps and what it hands back. Copying on the way in
 * and on the way out is what makes "nothing returned is a live reference" true, and it gives
 * every adapter the same idea of a value (undefined fields dropped, as in a file or a row).
 */
export function plain<T>(value: T): T {
  if (value === undefined) return value;
  return JSON.parse(JSON.stringify(value)) as T;
}

/** A ttl, a stream's `keep` or a lease's ttl are programming inputs: a bad one is a bug. */
export function assertPositive(name: string, value: number, integer = false): void {
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new RangeError(`${name} must be a positive ${integer ? 'integer' : 'number'}, got ${value}`);
  }
}

/** A page's limit or offset: a whole number, zero or more. */
export function assertPage(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 0) throw new RangeError(`${name} must be a whole number >= 0, got ${value}`);
  return value;
}

export function closedError(): StorageError {
  return new StorageError('storage is closed');
}
