/** Clock — the only source of "now" outside the core. Tests pass a fake one. */
export interface Clock {
  /** Epoch milliseconds. Monotonic enough for ordering; never called inside core/. */
  now(): number;
}
