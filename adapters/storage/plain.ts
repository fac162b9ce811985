/**
 * A deep copy as plain JSON: what a store keeps and what it hands back. Copying on the way in
 * and on the way out is what makes "listX never returns a live reference" true, and it gives
 * every adapter the same idea of a value (undefined fields dropped, as in a file or redis).
 */
export function plain<T>(value: T): T {
  if (value === undefined) return value;
  return JSON.parse(JSON.stringify(value)) as T;
}

/** A claim's `ttlMs` and a record log's `keep` are programming inputs: a bad one is a bug. */
export function assertPositive(name: string, value: number, integer = false): void {
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new RangeError(`${name} must be a positive ${integer ? 'integer' : 'number'}, got ${value}`);
  }
}

export function closedError(): Error {
  return new Error('storage is closed');
}
