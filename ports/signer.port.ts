/**
 * Signer — HMAC over a secret the orchestrator holds (`RUNNER_TOKEN_SECRET`, the admin
 * session secret). `sign` and `verify` are pure with respect to the secret: the same input
 * always gives the same signature; `verify` compares in constant time.
 */
export interface Signer {
  sign(payload: string): string;
  verify(payload: string, signature: string): boolean;
}

/**
 * Signing — the keyed hashing the use cases need, so that none of them touches a crypto
 * library (hosts/ wires the HMAC-SHA256 adapter, adapters/system/hmac-signer.adapter.ts).
 * - `signer(secret, salt, purpose)` is a `Signer` keyed for one purpose: the key is derived
 *   from the secret and the salt, so a signature made for one purpose (or under one salt) never
 *   verifies for another, and the same three inputs always give the same key — a credential can
 *   be re-derived later, for redaction.
 * - `digest(value)` is a one-way SHA-256 of `value` (base64url): an index key that does not
 *   reveal what it indexes.
 * - `equal(a, b)` compares two strings of any lengths in constant time: neither their contents
 *   nor their lengths leak through timing.
 */
export interface Signing {
  signer(secret: string, salt: string, purpose: string): Signer;
  digest(value: string): string;
  equal(a: string, b: string): boolean;
}
