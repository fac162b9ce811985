/** Ids — the only source of fresh identifiers and random bytes outside the core. */
export interface Ids {
  /** A new unique id, URL-safe, never reused. */
  newId(): string;
  /** `bytes` cryptographically random bytes as base64url (tokens, nonces). */
  randomToken(bytes?: number): string;
}
