import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_SESSION_COMMAND } from '../adapters/runners/local/local.runner.js';

/**
 * Where this package sits, whether it runs from its TypeScript sources (a checkout under tsx or
 * vitest) or from the compiled `dist/` (`npm start`, an installed package). This file compiles
 * to `dist/hosts/package-layout.js`, so the root is one level further up when built.
 */
const HERE = fileURLToPath(import.meta.url);

/** True when this code is the compiled JavaScript under `dist/`. */
export const RUNS_BUILT = HERE.endsWith('.js');

/** The package's root: the folder holding package.json, `custom/` and `dist/`. */
export const PACKAGE_ROOT = resolve(dirname(HERE), RUNS_BUILT ? '../..' : '..');

/**
 * How the local runner starts `ai-implement session`, relative to `PACKAGE_ROOT` (its working
 * directory, also what a container mounts): the compiled entry when built, the TypeScript one
 * through tsx in a checkout run from source (tests).
 */
export function sessionEntryCommand(): string[] {
  return RUNS_BUILT ? ['node', 'dist/hosts/cli/bin.js', 'session'] : [...DEFAULT_SESSION_COMMAND];
}

/** The version in package.json, or `unknown` when the file cannot be read (an unusual bundle). */
export function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(resolve(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}
