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
  /** The image Fly session machines run (`FLY_SESSION_IMAGE`); `registry.fly.io/<sessions app>:<version>` unless set. */
  flySessionImage?: string;
  port: number;
  host: string;
  /**
   * TRUST_PROXY: which proxies' `X-Forwarded-For` names the client for the per-client limits (a
   * hop count, or addresses, CIDR ranges and named ranges); unset, the connection's peer only.
   */
  trustProxy?: string;
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
  /** STORAGE_WAIT=1: at start, wait for an unreachable store instead of stopping. */
  storageWait?: boolean;
  /** LOG_LEVEL: the least severe level written (default info). */
  logLevel?: LogLevel;
  /** SLACK_WEBHOOK_URL: the global Slack incoming webhook (its path is the credential). */
  slackWebhookUrl?: string;
  /** NOTIFY_WEBHOOK_URL and NOTIFY_WEBHOOK_SECRET: the signed JSON webhook. */
  notifyWebhookUrl?: string;
  notifyWebhookSecret?: string;
  /** SMTP_URL and NOTIFY_EMAIL_TO (comma-separated); NOTIFY_EMAIL_FROM the sender. */
  smtpUrl?: string;
  notifyEmailTo?: string;
  notifyEmailFrom?: string;
  /** NOTIFY_EVENTS: `all` (default), `none`, or the notification kinds to send. */
  notifyEvents?: string;
  /** NOTIFY_TIMEOUT_MS: how long a notifier waits for its receiver (default 10 s). */
  notifyTimeoutMs?: number;
  /** DAILY_BUDGET_USD: dollars every team together may spend per UTC day (issue 17); unset: none. */
  dailyBudgetUsd?: number;
  /** MODEL_PRICES: JSON `{ "<model>": { "input": 3, "output": 15, "cacheRead"?, "cacheWrite"? } }`, USD per million tokens, over the built-in table. */
  modelPrices?: string;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

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
  'slackWebhookUrl',
  'notifyWebhookUrl',
  'notifyWebhookSecret',
  'smtpUrl',
] as const satisfies readonly (keyof CoreSettings)[];

/**
 * The secret values of the settings, for redaction: every secret field, and a password inside
 * `storageUrl` (as written and percent-decoded). Pure: hosts, the SSE stream and the run's
 * redaction list all start from it.
 */
export function secretValues(settings: Pick<CoreSettings, (typeof SECRET_CONFIG_KEYS)[number] | 'storageUrl'>): string[] {
  const values: string[] = SECRET_CONFIG_KEYS.map((key) => settings[key]).filter((v): v is string => typeof v === 'string');
  for (const withPassword of [settings.storageUrl, settings.smtpUrl]) {
    if (!withPassword) continue;
    try {
      const url = new URL(withPassword);
      if (url.password) values.push(url.password, decodeURIComponent(url.password));
    } catch {
      // not a URL: nothing inside it to hide
    }
  }
  return values;
}
