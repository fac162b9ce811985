import { NOTIFICATION_KINDS, type NotificationKind, parseNotifyEvents } from '../../core/domain/notifications.js';
import type { NotificationChannel, NotificationRoute, Notifier, NotifierDirectory } from '../../ports/notifier.port.js';
import type { Secrets } from '../../ports/secrets.port.js';
import { createEmailNotifier } from './email.notifier.js';
import { isNotifyUrl } from './notify-urls.js';
import { createSignedWebhookNotifier } from './signed-webhook.notifier.js';
import { createSlackNotifier } from './slack.notifier.js';

/** The global configuration (SLACK_WEBHOOK_URL, NOTIFY_WEBHOOK_*, SMTP_URL, NOTIFY_EMAIL_*, NOTIFY_EVENTS). */
export interface NotifyConfig {
  slackWebhookUrl?: string;
  notifyWebhookUrl?: string;
  notifyWebhookSecret?: string;
  smtpUrl?: string;
  notifyEmailTo?: string;
  notifyEmailFrom?: string;
  notifyEvents?: string;
  notifyTimeoutMs?: number;
}

/**
 * A mapping's overrides, as team-prefixed names in the secrets store (`ENG_SLACK_WEBHOOK_URL`):
 * each replaces the global value for that team's events only.
 */
export const TEAM_OVERRIDES = {
  slackUrl: 'SLACK_WEBHOOK_URL',
  webhookUrl: 'NOTIFY_WEBHOOK_URL',
  webhookSecret: 'NOTIFY_WEBHOOK_SECRET',
  emailTo: 'NOTIFY_EMAIL_TO',
  events: 'NOTIFY_EVENTS',
} as const;

export const DEFAULT_EMAIL_FROM = 'AI-Implement <ai-implement@localhost>';

export interface NotifierDirectoryDeps {
  config: NotifyConfig;
  /** The orchestrator's local secrets store (`/api/v1/secrets`): per-mapping overrides live there. */
  secrets: Pick<Secrets, 'list' | 'reveal'>;
  now?: () => number;
  warn?: (message: string, fields?: Record<string, unknown>) => void;
}

const ALL_KINDS = NOTIFICATION_KINDS.filter((k) => k !== 'test');

/** The configured channels and their notifiers, globally and per mapping (channel routing). */
export function createNotifierDirectory(deps: NotifierDirectoryDeps): NotifierDirectory {
  const { config, secrets } = deps;
  const timeoutMs = config.notifyTimeoutMs;
  const globalKinds = (() => {
    const parsed = parseNotifyEvents(config.notifyEvents);
    return 'kinds' in parsed ? parsed.kinds : ALL_KINDS;
  })();
  const teamName = (team: string, name: string) => `${team}_${name}`;

  /** The team's override names present in the store; none when the store cannot be read (logged). */
  async function overridesOf(team: string): Promise<Set<string>> {
    const listed = await secrets.list();
    if (listed.isErr()) {
      deps.warn?.('notification routing: the secrets store could not be listed; using the global channels', {
        error: listed.error.message,
      });
      return new Set();
    }
    const prefix = `${team}_`;
    return new Set(listed.value.filter((n) => n.startsWith(prefix)).map((n) => n.slice(prefix.length)));
  }

  async function reveal(team: string, names: string[]): Promise<Record<string, string> | undefined> {
    const revealed = await secrets.reveal(names.map((n) => teamName(team, n)));
    if (revealed.isErr()) return undefined;
    return Object.fromEntries(names.map((n) => [n, revealed.value[teamName(team, n)] ?? '']));
  }

  function globalNotifier(channel: NotificationChannel): Notifier | undefined {
    if (channel === 'slack' && config.slackWebhookUrl)
      return createSlackNotifier({ url: config.slackWebhookUrl, ...(timeoutMs ? { timeoutMs } : {}) });
    if (channel === 'webhook' && config.notifyWebhookUrl && config.notifyWebhookSecret)
      return createSignedWebhookNotifier({
        url: config.notifyWebhookUrl,
        secret: config.notifyWebhookSecret,
        ...(timeoutMs ? { timeoutMs } : {}),
        ...(deps.now ? { now: deps.now } : {}),
      });
    if (channel === 'email' && config.smtpUrl && config.notifyEmailTo) return emailTo(config.notifyEmailTo);
    return undefined;
  }

  function emailTo(to: string): Notifier | undefined {
    if (!config.smtpUrl || !to.trim()) return undefined;
    return createEmailNotifier({
      smtpUrl: config.smtpUrl,
      to,
      from: config.notifyEmailFrom ?? DEFAULT_EMAIL_FROM,
      ...(timeoutMs ? { timeoutMs } : {}),
    });
  }

  const configured = (): Record<NotificationChannel, boolean> => ({
    slack: Boolean(config.slackWebhookUrl),
    webhook: Boolean(config.notifyWebhookUrl && config.notifyWebhookSecret),
    email: Boolean(config.smtpUrl && config.notifyEmailTo),
  });

  return {
    configured,
    async routes(teamKey) {
      const global = configured();
      const present = teamKey ? await overridesOf(teamKey) : new Set<string>();
      let kinds: readonly NotificationKind[] = globalKinds;
      if (teamKey && present.has(TEAM_OVERRIDES.events)) {
        const value = (await reveal(teamKey, [TEAM_OVERRIDES.events]))?.[TEAM_OVERRIDES.events];
        const parsed = parseNotifyEvents(value);
        if ('kinds' in parsed) kinds = parsed.kinds;
        else
          deps.warn?.('notification routing: unknown kinds in a mapping’s NOTIFY_EVENTS', {
            team: teamKey,
            unknown: parsed.unknown,
          });
      }
      const team = (has: boolean) => (has && teamKey ? { route: teamKey } : {});
      const routes: NotificationRoute[] = [];
      const slackOverride = present.has(TEAM_OVERRIDES.slackUrl);
      if (slackOverride || global.slack) routes.push({ channel: 'slack', ...team(slackOverride), kinds });
      const webhookOverride = present.has(TEAM_OVERRIDES.webhookUrl) && present.has(TEAM_OVERRIDES.webhookSecret);
      if (webhookOverride || global.webhook) routes.push({ channel: 'webhook', ...team(webhookOverride), kinds });
      const emailOverride = Boolean(config.smtpUrl) && present.has(TEAM_OVERRIDES.emailTo);
      if (emailOverride || global.email) routes.push({ channel: 'email', ...team(emailOverride), kinds });
      return routes;
    },
    async notifier(channel, route) {
      if (!route) return globalNotifier(channel);
      if (channel === 'slack') {
        const url = (await reveal(route, [TEAM_OVERRIDES.slackUrl]))?.[TEAM_OVERRIDES.slackUrl];
        return url && isNotifyUrl(url) ? createSlackNotifier({ url, ...(timeoutMs ? { timeoutMs } : {}) }) : undefined;
      }
      if (channel === 'webhook') {
        const values = await reveal(route, [TEAM_OVERRIDES.webhookUrl, TEAM_OVERRIDES.webhookSecret]);
        const url = values?.[TEAM_OVERRIDES.webhookUrl];
        const secret = values?.[TEAM_OVERRIDES.webhookSecret];
        if (!url || !secret || !isNotifyUrl(url)) return undefined;
        return createSignedWebhookNotifier({
          url,
          secret,
          ...(timeoutMs ? { timeoutMs } : {}),
          ...(deps.now ? { now: deps.now } : {}),
        });
      }
      const to = (await reveal(route, [TEAM_OVERRIDES.emailTo]))?.[TEAM_OVERRIDES.emailTo];
      return to ? emailTo(to) : undefined;
    },
  };
}
