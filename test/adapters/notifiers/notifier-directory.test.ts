import { errAsync, okAsync } from 'neverthrow';
import { describe, expect, it } from 'vitest';
import { createNotifierDirectory } from '../../../adapters/notifiers/notifier-directory.js';
import type { Secrets } from '../../../ports/secrets.port.js';
import { startSignedWebhookReceiver } from '../../../testing/fakes/notify-webhook/signed-webhook-receiver.js';

function storeOf(values: Record<string, string>): Pick<Secrets, 'list' | 'reveal'> {
  return {
    list: () => okAsync(Object.keys(values).sort()),
    reveal: (names) => okAsync(Object.fromEntries(names.filter((n) => n in values).map((n) => [n, values[n] as string]))),
  };
}

const global = {
  slackWebhookUrl: 'https://hooks.slack.com/services/T/B/global',
  notifyWebhookUrl: 'https://hooks.example.com/global',
  notifyWebhookSecret: 'global-secret',
  smtpUrl: 'smtp://127.0.0.1:2525',
  notifyEmailTo: 'ops@example.com',
  notifyEvents: 'run.failed,review.failed',
};

describe('notifier directory (channel routing)', () => {
  it('routes a team to its overrides and everyone else to the global channels, with their opt-ins', async () => {
    const directory = createNotifierDirectory({
      config: global,
      secrets: storeOf({
        ENG_SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T/B/eng',
        ENG_NOTIFY_EVENTS: 'budget.reached',
        WEB_NOTIFY_WEBHOOK_URL: 'https://web.example.com/hook',
        WEB_NOTIFY_WEBHOOK_SECRET: 'web-secret',
        WEB_NOTIFY_EMAIL_TO: 'web@example.com',
        // Half a pair is no override: OPS keeps the global webhook.
        OPS_NOTIFY_WEBHOOK_URL: 'https://ops.example.com/hook',
      }),
    });
    expect(directory.configured()).toEqual({ slack: true, webhook: true, email: true });
    expect(await directory.routes('ENG')).toEqual([
      { channel: 'slack', route: 'ENG', kinds: ['budget.reached'] },
      { channel: 'webhook', kinds: ['budget.reached'] },
      { channel: 'email', kinds: ['budget.reached'] },
    ]);
    expect(await directory.routes('WEB')).toEqual([
      { channel: 'slack', kinds: ['run.failed', 'review.failed'] },
      { channel: 'webhook', route: 'WEB', kinds: ['run.failed', 'review.failed'] },
      { channel: 'email', route: 'WEB', kinds: ['run.failed', 'review.failed'] },
    ]);
    expect((await directory.routes('OPS')).map((r) => r.route)).toEqual([undefined, undefined, undefined]);
    expect((await directory.routes(undefined)).map((r) => r.channel)).toEqual(['slack', 'webhook', 'email']);
  });

  it('builds a team’s webhook with its own secret, at send time', async () => {
    const receiver = await startSignedWebhookReceiver('team-secret');
    try {
      const directory = createNotifierDirectory({
        config: {},
        secrets: storeOf({ ENG_NOTIFY_WEBHOOK_URL: receiver.url, ENG_NOTIFY_WEBHOOK_SECRET: 'team-secret' }),
      });
      expect(await directory.routes(undefined)).toEqual([]);
      expect(await directory.routes('ENG')).toMatchObject([{ channel: 'webhook', route: 'ENG' }]);
      const notifier = await directory.notifier('webhook', 'ENG');
      const result = await notifier?.send({ kind: 'run.failed', at: Date.now(), title: 't', text: 'x', links: [] }, 'id-1');
      expect(result).toMatchObject({ ok: true });
      expect(receiver.received.map((r) => r.verdict)).toEqual(['ok']);
    } finally {
      await receiver.close();
    }
  });

  it('has no notifier for an override that is not a safe URL, or gone; lists nothing when the store fails', async () => {
    const directory = createNotifierDirectory({
      config: { slackWebhookUrl: global.slackWebhookUrl },
      secrets: storeOf({ ENG_SLACK_WEBHOOK_URL: 'http://hooks.example.com/plain-http' }),
    });
    expect(await directory.notifier('slack', 'ENG')).toBeUndefined();
    expect(await directory.notifier('slack', 'GONE')).toBeUndefined();
    expect(await directory.notifier('email')).toBeUndefined();
    expect((await directory.notifier('slack'))?.channel).toBe('slack');
    const warnings: string[] = [];
    const broken = createNotifierDirectory({
      config: { slackWebhookUrl: global.slackWebhookUrl },
      secrets: {
        list: () => errAsync({ kind: 'unavailable', message: 'store locked' }),
        reveal: () => errAsync({ kind: 'unavailable', message: 'store locked' }),
      },
      warn: (message) => warnings.push(message),
    });
    expect(await broken.routes('ENG')).toEqual([{ channel: 'slack', kinds: expect.any(Array) }]);
    expect(warnings).toHaveLength(1);
  });
});
