/**
 * Fly app secrets are write-only from outside the app: the Machines API returns their values only
 * to a machine of the same app. A session machine receives every app secret in its environment
 * by itself (machines are created without `skip_secrets`), so the orchestrator never needs the
 * values. `reveal` on Fly therefore answers each known name with this reference instead of a
 * value, and the Fly runner drops such entries from the machine's `env`, where a value would
 * override the app secret.
 */
const PREFIX = 'fly-app-secret:';

export function flyAppSecretReference(name: string): string {
  return `${PREFIX}${name}`;
}

/** True when `value` is the reference for the secret named `name`: the app provides it. */
export function isFlyAppSecretReference(name: string, value: string): boolean {
  return value === flyAppSecretReference(name);
}
