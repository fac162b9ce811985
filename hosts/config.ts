import { resolve } from 'node:path';
import { err, ok, type Result } from 'neverthrow';
import { z } from 'zod';
import { isNotifyUrl, isSmtpUrl } from '../adapters/notifiers/notify-urls.js';
import type { CoreSettings, LogLevel } from '../core/app/core-settings.js';
import type { RunnerMode } from '../core/domain/model.js';
import { parseNotifyEvents } from '../core/domain/notifications.js';
import { parseTrustProxy, TRUST_PROXY_PROBLEM } from './http/trusted-proxies.js';

/**
 * The configuration contract (ARCHITECTURE.md, "Configuration contract"): every environment
 * variable the orchestrator reads, validated once at start. An empty or blank variable counts
 * as unset. A problem is reported by variable name and never echoes the value.
 */

const RUNNER_MODES = ['default', 'gha', 'fly', 'local', 'shadow'] as const satisfies readonly RunnerMode[];
const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const satisfies readonly LogLevel[];

const text = () => z.string().optional();
const httpUrl = (name: string) =>
  z
    .string()
    .refine((v) => isHttpUrl(v), { error: `${name} must be an http(s) URL` })
    .transform((v) => v.replace(/\/+$/, ''));
/** https, or http to a loopback address only (tests, an on-premises relay on the same host). */
const notifyUrl = (name: string) =>
  z.string().refine((v) => isNotifyUrl(v), { error: `${name} must be an https:// URL (http:// only to a loopback address)` });
const integer = (name: string, min: number, max: number) =>
  z
    .string()
    .refine((v) => /^\d+$/.test(v.trim()) && Number(v) >= min && Number(v) <= max, {
      error: `${name} must be an integer from ${min} to ${max}`,
    })
    .transform((v) => Number(v));

/** The admin access code is the admin surface's only guard: anything shorter falls to guessing. */
export const ADMIN_ACCESS_CODE_MIN_LENGTH = 12;

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

export const envSchema = z
  .object({
    ADMIN_ACCESS_CODE: z
      .string()
      .refine((v) => v.length >= ADMIN_ACCESS_CODE_MIN_LENGTH, {
        error: `ADMIN_ACCESS_CODE must be at least ${ADMIN_ACCESS_CODE_MIN_LENGTH} characters long`,
      })
      .optional(),
    RUNNER_TOKEN_SECRET: text(),
    GITHUB_WEBHOOK_SECRET: text(),
    GAP_FILL_TRIGGER_SECRET: text(),
    RUNNER_MODE: z.enum(RUNNER_MODES, { error: `RUNNER_MODE must be one of: ${RUNNER_MODES.join(', ')}` }).optional(),
    FLY_SESSIONS_APP: text(),
    FLY_SESSIONS_REGION: text(),
    FLY_SESSION_IMAGE: text(),
    PORT: integer('PORT', 0, 65535).optional(),
    HOST: z.string().default('127.0.0.1'),
    TRUST_PROXY: z
      .string()
      .refine((v) => parseTrustProxy(v).isOk(), { error: TRUST_PROXY_PROBLEM })
      .optional(),
    PUBLIC_URL: httpUrl('PUBLIC_URL').optional(),
    DATA_DIR: z.string().default('./.data'),
    STORAGE_URL: text(),
    CUSTOM_DIR: z
      .string()
      .refine((v) => !v.includes('\0'), { error: 'CUSTOM_DIR must be a directory path' })
      .default('./custom'),
    LINEAR_API_KEY: text(),
    LINEAR_API_URL: httpUrl('LINEAR_API_URL').default('https://api.linear.app/graphql'),
    LINEAR_WEBHOOK_SECRET: text(),
    JIRA_HOST: httpUrl('JIRA_HOST').optional(),
    JIRA_EMAIL: text(),
    JIRA_API_TOKEN: text(),
    GITHUB_TOKEN: text(),
    GITHUB_APP_ID: z.string().regex(/^\d+$/, { error: 'GITHUB_APP_ID must be a number' }).optional(),
    GITHUB_APP_PRIVATE_KEY: text(),
    GITHUB_API_URL: httpUrl('GITHUB_API_URL').default('https://api.github.com'),
    FLY_API_TOKEN: text(),
    FLY_API_URL: httpUrl('FLY_API_URL').default('https://api.machines.dev'),
    POLL_INTERVAL_MS: integer('POLL_INTERVAL_MS', 1000, 86_400_000).default(30_000),
    STORAGE_WAIT: z.enum(['0', '1', 'true', 'false'], { error: 'STORAGE_WAIT must be 1 or 0' }).optional(),
    LOG_LEVEL: z.enum(LOG_LEVELS, { error: `LOG_LEVEL must be one of: ${LOG_LEVELS.join(', ')}` }).default('info'),
    SLACK_WEBHOOK_URL: notifyUrl('SLACK_WEBHOOK_URL').optional(),
    NOTIFY_WEBHOOK_URL: notifyUrl('NOTIFY_WEBHOOK_URL').optional(),
    NOTIFY_WEBHOOK_SECRET: text(),
    SMTP_URL: z
      .string()
      .refine((v) => isSmtpUrl(v), { error: 'SMTP_URL must be an smtp:// or smtps:// URL' })
      .optional(),
    NOTIFY_EMAIL_TO: text(),
    NOTIFY_EMAIL_FROM: text(),
    NOTIFY_EVENTS: z
      .string()
      .refine((v) => 'kinds' in parseNotifyEvents(v), {
        error: 'NOTIFY_EVENTS must be all, none, or notification kinds separated by commas',
      })
      .optional(),
    // Below half the worker's claim (60 s), so a send never outlives the claim it runs under.
    NOTIFY_TIMEOUT_MS: integer('NOTIFY_TIMEOUT_MS', 100, 25_000).optional(),
    DAILY_BUDGET_USD: z
      .string()
      .regex(/^\d+(\.\d+)?$/, { error: 'DAILY_BUDGET_USD must be a number of dollars' })
      // A number too large for a double is Infinity, which the budget reads as no budget at all.
      .refine((v) => Number(v) > 0 && Number.isFinite(Number(v)), {
        error: 'DAILY_BUDGET_USD must be a number of dollars above 0',
      })
      .optional(),
    MODEL_PRICES: z
      .string()
      .refine(isPriceTable, {
        error: 'MODEL_PRICES must be JSON: {"<model>": {"input": <USD per million tokens>, "output": <USD per million tokens>}}',
      })
      .optional(),
  })
  .superRefine((env, ctx) => {
    if (Boolean(env.GITHUB_APP_ID) !== Boolean(env.GITHUB_APP_PRIVATE_KEY)) {
      ctx.addIssue({
        code: 'custom',
        path: ['GITHUB_APP_ID'],
        message: 'GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY must be set together',
      });
    }
    if (env.RUNNER_MODE && env.RUNNER_MODE !== 'shadow' && !env.RUNNER_TOKEN_SECRET) {
      ctx.addIssue({
        code: 'custom',
        path: ['RUNNER_TOKEN_SECRET'],
        message: `RUNNER_TOKEN_SECRET is required with RUNNER_MODE=${env.RUNNER_MODE}: runs report back with tokens signed by it (only shadow runs without it)`,
      });
    }
    if (Boolean(env.NOTIFY_WEBHOOK_URL) !== Boolean(env.NOTIFY_WEBHOOK_SECRET)) {
      ctx.addIssue({
        code: 'custom',
        path: ['NOTIFY_WEBHOOK_URL'],
        message: 'NOTIFY_WEBHOOK_URL and NOTIFY_WEBHOOK_SECRET must be set together (deliveries are signed)',
      });
    }
    if (Boolean(env.SMTP_URL) !== Boolean(env.NOTIFY_EMAIL_TO)) {
      ctx.addIssue({
        code: 'custom',
        path: ['SMTP_URL'],
        message: 'SMTP_URL and NOTIFY_EMAIL_TO must be set together',
      });
    }
    const jira = [env.JIRA_HOST, env.JIRA_EMAIL, env.JIRA_API_TOKEN].filter(Boolean).length;
    if (jira !== 0 && jira !== 3) {
      ctx.addIssue({
        code: 'custom',
        path: ['JIRA_HOST'],
        message: 'JIRA_HOST, JIRA_EMAIL and JIRA_API_TOKEN must be set together',
      });
    }
  });

/** The validated configuration is the core's settings object (core/app/core-settings.ts). */
export type Config = CoreSettings;

export const DEFAULT_PORT = 4000;

/**
 * Validates the environment (`process.env` when none is given). The error names each bad
 * variable and what is wrong with it. Relative paths that must not move with a later `chdir`
 * are resolved against `cwd` now.
 */
export function loadConfig(
  env: Record<string, string | undefined> = process.env,
  cwd: string = process.cwd(),
): Result<Config, string> {
  const present: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (typeof value === 'string' && value.trim() !== '') present[key] = value;
  }
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => describeIssue(issue));
    return err(`Invalid configuration: ${[...new Set(problems)].join('; ')}`);
  }
  const e = parsed.data;
  const port = e.PORT ?? DEFAULT_PORT;
  return ok(
    dropUndefined({
      adminAccessCode: e.ADMIN_ACCESS_CODE,
      runnerTokenSecret: e.RUNNER_TOKEN_SECRET,
      githubWebhookSecret: e.GITHUB_WEBHOOK_SECRET,
      gapFillTriggerSecret: e.GAP_FILL_TRIGGER_SECRET,
      runnerMode: e.RUNNER_MODE,
      flySessionsApp: e.FLY_SESSIONS_APP,
      flySessionsRegion: e.FLY_SESSIONS_REGION,
      flySessionImage: e.FLY_SESSION_IMAGE,
      port,
      host: e.HOST,
      trustProxy: e.TRUST_PROXY,
      publicUrl: e.PUBLIC_URL ?? `http://${hostForUrl(e.HOST)}:${port}`,
      dataDir: e.DATA_DIR,
      storageUrl: e.STORAGE_URL,
      customDir: resolve(cwd, e.CUSTOM_DIR),
      linearApiKey: e.LINEAR_API_KEY,
      linearApiUrl: e.LINEAR_API_URL,
      linearWebhookSecret: e.LINEAR_WEBHOOK_SECRET,
      jiraHost: e.JIRA_HOST,
      jiraEmail: e.JIRA_EMAIL,
      jiraApiToken: e.JIRA_API_TOKEN,
      githubToken: e.GITHUB_TOKEN,
      githubAppId: e.GITHUB_APP_ID,
      githubAppPrivateKey: e.GITHUB_APP_PRIVATE_KEY,
      githubApiUrl: e.GITHUB_API_URL,
      flyApiToken: e.FLY_API_TOKEN,
      flyApiUrl: e.FLY_API_URL,
      pollIntervalMs: e.POLL_INTERVAL_MS,
      storageWait: e.STORAGE_WAIT === '1' || e.STORAGE_WAIT === 'true' ? true : undefined,
      logLevel: e.LOG_LEVEL,
      slackWebhookUrl: e.SLACK_WEBHOOK_URL,
      notifyWebhookUrl: e.NOTIFY_WEBHOOK_URL,
      notifyWebhookSecret: e.NOTIFY_WEBHOOK_SECRET,
      smtpUrl: e.SMTP_URL,
      notifyEmailTo: e.NOTIFY_EMAIL_TO,
      notifyEmailFrom: e.NOTIFY_EMAIL_FROM,
      notifyEvents: e.NOTIFY_EVENTS,
      notifyTimeoutMs: e.NOTIFY_TIMEOUT_MS,
      dailyBudgetUsd: e.DAILY_BUDGET_USD === undefined ? undefined : Number(e.DAILY_BUDGET_USD),
      modelPrices: e.MODEL_PRICES,
    }),
  );
}

/** zod's own messages may quote the input; only messages written here (which never do) are shown. */
export function describeIssue(issue: z.core.$ZodIssue): string {
  const name = String(issue.path[0] ?? 'configuration');
  return issue.code === 'custom' || issue.message.startsWith(name) ? issue.message : `${name} is invalid`;
}

/**
 * `MODEL_PRICES`: an object of models, each with `input` and `output` prices (and optional cache
 * prices) that are finite and not negative: the price table skips any other entry, which would
 * silently leave that model at its built-in price.
 */
function isPriceTable(json: string): boolean {
  const price = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v >= 0;
  try {
    const value: unknown = JSON.parse(json);
    if (!value || typeof value !== 'object' || Array.isArray(value)) return false;
    return Object.values(value).every((p) => {
      if (p === null || typeof p !== 'object') return false;
      const { input, output, cacheRead, cacheWrite } = p as Record<string, unknown>;
      return price(input) && price(output) && [cacheRead, cacheWrite].every((c) => c === undefined || price(c));
    });
  } catch {
    return false;
  }
}

function hostForUrl(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** Which outside connections are configured, for `doctor` and the config-status panel. Never values. */
export function describeConnections(config: Config): { name: string; configured: boolean; detail: string }[] {
  const github = config.githubToken ? 'token' : config.githubAppId ? 'GitHub App' : 'not configured';
  return [
    {
      name: 'Admin UI and API',
      configured: Boolean(config.adminAccessCode),
      detail: config.adminAccessCode ? 'ADMIN_ACCESS_CODE set' : 'ADMIN_ACCESS_CODE unset: /admin and /api/* answer 404',
    },
    {
      name: 'Runner callbacks',
      configured: Boolean(config.runnerTokenSecret),
      detail: config.runnerTokenSecret
        ? 'RUNNER_TOKEN_SECRET set'
        : 'RUNNER_TOKEN_SECRET unset: /runner/* answer 501 and only the shadow runner runs',
    },
    {
      name: 'GitHub webhook',
      configured: Boolean(config.githubWebhookSecret),
      detail: config.githubWebhookSecret
        ? 'GITHUB_WEBHOOK_SECRET set'
        : 'GITHUB_WEBHOOK_SECRET unset: /api/github/webhook answers 503',
    },
    {
      name: 'Gap-fill trigger',
      configured: Boolean(config.gapFillTriggerSecret),
      detail: config.gapFillTriggerSecret
        ? 'GAP_FILL_TRIGGER_SECRET set'
        : 'GAP_FILL_TRIGGER_SECRET unset: /trigger/gap-fill answers 501',
    },
    {
      name: 'Linear',
      configured: Boolean(config.linearApiKey),
      detail: `${config.linearApiKey ? 'API key set' : 'no LINEAR_API_KEY'}; ${config.linearApiUrl}`,
    },
    { name: 'Jira', configured: Boolean(config.jiraHost), detail: config.jiraHost ? config.jiraHost : 'no JIRA_HOST' },
    { name: 'GitHub', configured: github !== 'not configured', detail: `${github}; ${config.githubApiUrl}` },
    {
      name: 'Fly Machines',
      configured: Boolean(config.flyApiToken),
      detail: `${config.flyApiToken ? 'API token set' : 'no FLY_API_TOKEN'}; ${config.flyApiUrl}${config.flySessionsApp ? `; app ${config.flySessionsApp}` : ''}`,
    },
    {
      name: 'Runner mode',
      configured: Boolean(config.runnerMode),
      detail: config.runnerMode ? `RUNNER_MODE=${config.runnerMode} (beats the stored mode)` : 'stored mode',
    },
    {
      name: 'Notifications',
      configured: Boolean(config.slackWebhookUrl || config.notifyWebhookUrl || config.smtpUrl),
      detail:
        [
          config.slackWebhookUrl ? 'Slack' : undefined,
          config.notifyWebhookUrl ? 'signed webhook' : undefined,
          config.smtpUrl ? `e-mail via ${redactUrl(config.smtpUrl)}` : undefined,
        ]
          .filter(Boolean)
          .join(', ') || 'no SLACK_WEBHOOK_URL, NOTIFY_WEBHOOK_URL or SMTP_URL: nothing is sent',
    },
    {
      name: 'Storage',
      configured: true,
      detail: config.storageUrl ? `STORAGE_URL ${redactUrl(config.storageUrl)}` : `SQLite file in ${config.dataDir}`,
    },
  ];
}

/** A storage URL may carry a password (`redis://:pw@host`); show only scheme, host and path. */
export function redactUrl(value: string): string {
  try {
    const url = new URL(value);
    if (url.password) url.password = '***';
    if (url.username) url.username = '***';
    url.search = '';
    return url.toString();
  } catch {
    return value.split(':')[0] ?? 'set';
  }
}
