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
} as const;

const SECRET_NAME = /^[A-Za-z0-9_]+$/;

export interface SecretInput {
  name: string;
  value: string;
}

export function isValidSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

/** Validates a `POST …/secrets` body: a name of letters, digits, underscores and a non-empty value. */
export function validateSecretInput(body: unknown): Result<SecretInput, string> {
  if (!isPlainObject(body)) return err(SECRET_MESSAGES.invalidBody);
  const { name, value } = body;
  if (typeof name !== 'string' || name === '' || typeof value !== 'string' || value === '') {
    return err(SECRET_MESSAGES.required);
  }
  if (!isValidSecretName(name)) return err(SECRET_MESSAGES.nameFormat);
  return ok({ name, value });
}

/** Validates a bare secret name (a `DELETE …/secrets/:name` path segment). */
export function validateSecretName(name: string): Result<string, string> {
  return isValidSecretName(name) ? ok(name) : err(SECRET_MESSAGES.nameFormat);
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
  if (!isValidSecretName(name)) return err(SECRET_MESSAGES.nameFormat);
  const prefix = collidingTeamPrefix(name, teamKeys);
  return prefix ? err(`Secret name must not start with a team key prefix (${prefix})`) : ok(name);
}

/** The stored names that belong to no team, sorted. */
export function globalSecretNames(storedNames: readonly string[], teamKeys: readonly string[]): string[] {
  return storedNames.filter((n) => collidingTeamPrefix(n, teamKeys) === undefined).sort();
}
