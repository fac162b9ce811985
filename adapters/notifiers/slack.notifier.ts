import type { DeliveryResult, NotificationMessage, Notifier } from '../../ports/notifier.port.js';
import { DEFAULT_NOTIFY_TIMEOUT_MS, httpResult, transportFailure, withDeadline, withRetryAfter } from './delivery.js';

export interface SlackNotifierOptions {
  /** The incoming webhook's URL; its path is the credential. */
  url: string;
  timeoutMs?: number;
}

/** Slack's limits for the blocks used here (Block Kit reference). */
const HEADER_MAX = 150;
const SECTION_MAX = 3000;
const FIELD_MAX = 2000;
const BUTTON_TEXT_MAX = 75;

const cut = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
/** mrkdwn's three control characters (Slack: "Escaping text"). */
const escapeMrkdwn = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * The Block Kit message: a header with the title, a section with what happened and the issue,
 * stage and reason as fields, a button per link, and a context line; `text` is the fallback
 * Slack shows in notifications and where blocks cannot be drawn.
 */
export function slackPayload(message: NotificationMessage) {
  const fields = [
    ['Issue', message.issue],
    ['Stage', message.stage],
    ['Team', message.teamKey],
    ['Reason', message.reason],
  ]
    .filter((pair): pair is [string, string] => Boolean(pair[1]))
    .map(([label, value]) => ({ type: 'mrkdwn' as const, text: cut(`*${label}*\n${escapeMrkdwn(value)}`, FIELD_MAX) }));
  const blocks: Record<string, unknown>[] = [
    { type: 'header', text: { type: 'plain_text', text: cut(message.title, HEADER_MAX), emoji: false } },
    {
      type: 'section',
      text: { type: 'mrkdwn', text: cut(escapeMrkdwn(message.text), SECTION_MAX) },
      ...(fields.length > 0 ? { fields } : {}),
    },
  ];
  const links = message.links.filter((l) => /^https?:\/\//.test(l.url)).slice(0, 5);
  if (links.length > 0) {
    blocks.push({
      type: 'actions',
      elements: links.map((link, i) => ({
        type: 'button',
        action_id: `link-${i}`,
        text: { type: 'plain_text', text: cut(link.label, BUTTON_TEXT_MAX) },
        url: link.url,
      })),
    });
  }
  blocks.push({
    type: 'context',
    elements: [{ type: 'mrkdwn', text: `AI-Implement · \`${message.kind}\` · ${new Date(message.at).toISOString()}` }],
  });
  return { text: cut(`${message.title}: ${message.text}`, SECTION_MAX), blocks };
}

/**
 * Slack incoming webhooks through `@slack/webhook`; the library's own retries are off (the queue
 * retries). Its errors carry no headers, so each send's fetch keeps the answer's: a 429's
 * `Retry-After` sets when the queue tries again.
 */
/** `@slack/webhook` (and the axios under it), loaded at the first Slack message rather than at start. */
let slack: typeof import('@slack/webhook') | undefined;
const loadSlack = async () => {
  slack ??= await import('@slack/webhook');
  return slack;
};

export function createSlackNotifier(options: SlackNotifierOptions): Notifier {
  const timeoutMs = options.timeoutMs ?? DEFAULT_NOTIFY_TIMEOUT_MS;
  const secrets = [options.url, new URL(options.url).pathname];
  return {
    channel: 'slack',
    send: (message) => {
      let answered: Headers | undefined;
      return withDeadline(
        timeoutMs,
        async (): Promise<DeliveryResult> => {
          const { IncomingWebhook } = await loadSlack();
          const webhook = new IncomingWebhook(options.url, {
            timeout: timeoutMs,
            retryConfig: { retries: 0 },
            fetch: async (input, init) => {
              const response = await fetch(input, init);
              answered = response.headers;
              return response;
            },
          });
          const answer = await webhook.send(slackPayload(message) as never);
          return httpResult(200, answer.text, secrets);
        },
        (error) => {
          if (slack && error instanceof slack.IncomingWebhookHTTPError)
            return withRetryAfter(httpResult(error.statusCode, error.body, secrets), answered);
          if (slack && error instanceof slack.IncomingWebhookRequestError)
            return transportFailure(error.original, secrets, timeoutMs);
          return transportFailure(error, secrets, timeoutMs);
        },
      );
    },
  };
}
