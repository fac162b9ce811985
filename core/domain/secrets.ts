import { err, ok, type Result } from 'neverthrow';
import { isPlainObject } from './mappings.js';

/**
 * Secret naming rules.
 *
 * Spec: admin-ui-earlier-version.txt ("Secrets"): per-team secrets are stored with the team
 * key as a prefix (`MY_TOKEN` for `ENG` is stored as `ENG_MY_TOKEN`), names contain only
 * letters, digits and underscores, and a global secret name must not start with any team
 * key prefix. Messages are the exact `error` strings of error-codes-…txt ("Secrets").
 * Values never pass through here except to check that one was given.
 */

export const SECRET_MESSAGES = {
  invalidBody: 'Invalid request body',
  required: 'name and value are required',
  nameFormat: 'name must contain only letters, digits, and underscores',
  nameLength: 'name must be at most 128 characters',
} as const;

const SECRET_NAME = /^[A-Za-z0-9_]+$/;
/**
 * Not in the spec: a bound, so a name always fits in the secret store's URL path (an endless
 * name was refused by the store and answered as a 500, as if the store had failed).
 */
export const SECRET_NAME_MAX_LENGTH = 128;

export interface SecretInput {
  name: string;
  value: string;
}

export function isValidSecretName(name: string): boolean {
  return SECRET_NAME.test(name) && name.length <= SECRET_NAME_MAX_LENGTH;
}

/** Why `name` is not a valid secret name, or undefined when it is. */
function secretNameProblem(name: string): string | undefined {
  if (!SECRET_NAME.test(name)) return SECRET_MESSAGES.nameFormat;
  if (name.length > SECRET_NAME_MAX_LENGTH) return SECRET_MESSAGES.nameLength;
  return undefined;
}

/** Validates a `POST …/secrets` body: a name of letters, digits, underscores and a non-empty value. */
export function validateSecretInput(body: unknown): Result<SecretInput, string> {
  if (!isPlainObject(body)) return err(SECRET_MESSAGES.invalidBody);
  const { name, value } = body;
  if (typeof name !== 'string' || name === '' || typeof value !== 'string' || value === '') {
    return err(SECRET_MESSAGES.required);
  }
  const problem = secretNameProblem(name);
  if (problem) return err(problem);
  return ok({ name, value });
}

/** Validates a bare secret name (a `DELETE …/secrets/:name` path segment). */
export function validateSecretName(name: string): Result<string, string> {
  const problem = secretNameProblem(name);
  return problem ? err(problem) : ok(name);
}

export function teamSecretPrefix(teamKey: string): string {
  return `${teamKey}_`;
}

/** The stored name of a per-team secret: `ENG` + `MY_TOKEN` → `ENG_MY_TOKEN`. */
export function teamSecretName(teamKey: string, name: string): string {
  return `${teamSecretPrefix(teamKey)}${name}`;
}

/** The team-relative names among stored names (`ENG_MY_TOKEN` → `MY_TOKEN` for `ENG`), sorted. */
export function teamSecretNames(storedNames: readonly string[], teamKey: string): string[] {
  const prefix = teamSecretPrefix(teamKey);
  return storedNames
    .filter((n) => n.startsWith(prefix) && n.length > prefix.length)
    .map((n) => n.slice(prefix.length))
    .sort();
}

/** The first team prefix that `name` starts with, if any (longest team key first). */
export function collidingTeamPrefix(name: string, teamKeys: readonly string[]): string | undefined {
  return [...teamKeys]
    .sort((a, b) => b.length - a.length || a.localeCompare(b))
    .map(teamSecretPrefix)
    .find((prefix) => name.startsWith(prefix));
}

/** A global secret name must not look like any team's secret. */
export function validateGlobalSecretName(name: string, teamKeys: readonly string[]): Result<string, string> {
  const problem = secretNameProblem(name);
  if (problem) return err(problem);
  const prefix = collidingTeamPrefix(name, teamKeys);
  return prefix ? err(`Secret name must not start with a team key prefix (${prefix})`) : ok(name);
}

/** The stored names that belong to no team, sorted. */
export function globalSecretNames(storedNames: readonly string[], teamKeys: readonly string[]): string[] {
  return storedNames.filter((n) => collidingTeamPrefix(n, teamKeys) === undefined).sort();
}
