/**
 * Signer — HMAC over a secret the orchestrator holds (`RUNNER_TOKEN_SECRET`, the admin
 * session secret). `sign` and `verify` are pure with respect to the secret: the same input
 * always gives the same signature; `verify` compares in constant time.
 */
export interface Signer {
  sign(payload: string): string;
  verify(payload: string, signature: string): boolean;
}
