import type { Result } from 'neverthrow';

/**
 * ConfigCatalog — the configuration's keys and the schema that validates them, as the host
 * defines them (hosts/config-catalog.ts). Keys are the environment variables' names; values
 * are strings, as in the environment.
 */
export interface ConfigKeyInfo {
  key: string;
  secret: boolean;
  /** `live`: a change takes effect at once; `restart`: at the next start. */
  apply: 'live' | 'restart';
  /** False for secrets (`/api/v1/secrets`) and where storage lives (the overlay is kept in it). */
  overlayable: boolean;
  /** The environment variable beats the overlay (runner mode, Fly sessions settings). */
  envLocked: boolean;
  /** A live key is this stored setting (the one `/api/runner-mode` or `/api/settings` writes). */
  storedSetting?: string;
}

export interface ConfigBaselineValue {
  value?: string;
  source: 'default' | 'env';
}

/** The first problem of an overlay: where, and what. */
export interface ConfigProblem {
  path: string;
  message: string;
}

export interface ConfigCatalog {
  readonly keys: readonly ConfigKeyInfo[];
  /** Defaults ← environment, as the process started (before any overlay). */
  baseline(): Record<string, ConfigBaselineValue>;
  /** The value each key has in the running process. */
  running(): Record<string, string | undefined>;
  /** Checks an overlay alone and merged over the baseline; the whole configuration must stay valid. */
  validate(overlay: unknown): Result<Record<string, string>, ConfigProblem>;
  /** The JSON Schema of the configuration, with example overlays. */
  jsonSchema(): Record<string, unknown>;
}
