import type { ResultAsync } from 'neverthrow';
import type { ServiceError } from './errors.js';

/**
 * Secrets — named secret values the sessions receive (Fly app secrets, or the local store
 * encrypted at rest).
 *
 * Contract (testing/contracts/secrets.contract.ts):
 * - `list` returns names only, never values.
 * - `set` then `list` shows the name; `remove` of an unknown name resolves `notFound`.
 * - `reveal` is only for building a session's environment; no host route calls it.
 * Naming rules (team prefix, allowed characters) are the core's (core/secrets.ts), applied
 * before the port is called.
 */
export interface Secrets {
  list(): ResultAsync<string[], ServiceError>;
  set(name: string, value: string): ResultAsync<void, ServiceError>;
  remove(name: string): ResultAsync<void, ServiceError>;
  reveal(names: string[]): ResultAsync<Record<string, string>, ServiceError>;
}
