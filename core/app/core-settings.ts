import type { RunnerMode } from '../domain/model.js';

/**
 * The engine's settings: the validated configuration, in camelCase, with every default
 * applied. Hosts build it (hosts/config.ts parses the environment); embedders may write it.
 */
export interface CoreSettings {
  adminAccessCode?: string;
  runnerTokenSecret?: string;
  githubWebhookSecret?: string;
  gapFillTriggerSecret?: string;
  runnerMode?: RunnerMode;
  flySessionsApp?: string;
  flySessionsRegion?: string;
  port: number;
  host: string;
  /** Base URL runners call back, without a trailing slash. */
  publicUrl: string;
  dataDir: string;
  storageUrl?: string;
  /**
   * The operator's custom pipelines and steps, absolute: CUSTOM_DIR against the working
   * directory (default `./custom`), not a folder inside the package.
   */
  customDir: string;
  linearApiKey?: string;
  linearApiUrl: string;
  linearWebhookSecret?: string;
  jiraHost?: string;
  jiraEmail?: string;
  jiraApiToken?: string;
  githubToken?: string;
  githubAppId?: string;
  githubAppPrivateKey?: string;
  githubApiUrl: string;
  flyApiToken?: string;
  flyApiUrl: string;
  pollIntervalMs: number;
}

/** Every config field that holds a secret; their values must never reach a response or a log. */
export const SECRET_CONFIG_KEYS = [
  'adminAccessCode',
  'runnerTokenSecret',
  'githubWebhookSecret',
  'gapFillTriggerSecret',
  'linearApiKey',
  'linearWebhookSecret',
  'jiraApiToken',
  'githubToken',
  'githubAppPrivateKey',
  'flyApiToken',
] as const satisfies readonly (keyof CoreSettings)[];
