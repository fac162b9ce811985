import { describe, expect, it } from 'vitest';
import { describeConnections, loadConfig } from '../../../hosts/config.js';
import { createConfigCatalog } from '../../../hosts/config-catalog.js';

const hook = 'https://hooks.slack.com/services/T1/B1/s3cr3tHookToken';

describe('notification configuration', () => {
  it('accepts https and loopback http for the webhooks, and reads every variable', () => {
    for (const url of [hook, 'http://127.0.0.1:9999/hook', 'http://localhost:1/x', 'http://[::1]:80/x']) {
      expect(loadConfig({ SLACK_WEBHOOK_URL: url }).isOk(), url).toBe(true);
    }
    const config = loadConfig({
      SLACK_WEBHOOK_URL: hook,
      NOTIFY_WEBHOOK_URL: 'https://hooks.example.com/ai',
      NOTIFY_WEBHOOK_SECRET: 'whsec',
      SMTP_URL: 'smtp://bot:pw@mail.example.com:587',
      NOTIFY_EMAIL_TO: 'ops@example.com',
      NOTIFY_EMAIL_FROM: 'bot@example.com',
      NOTIFY_EVENTS: 'run.failed, budget.reached',
      NOTIFY_TIMEOUT_MS: '2500',
    })._unsafeUnwrap();
    expect(config).toMatchObject({
      slackWebhookUrl: hook,
      notifyWebhookSecret: 'whsec',
      smtpUrl: 'smtp://bot:pw@mail.example.com:587',
      notifyEmailTo: 'ops@example.com',
      notifyEvents: 'run.failed, budget.reached',
      notifyTimeoutMs: 2500,
    });
    const line = describeConnections(config).find((c) => c.name === 'Notifications');
    expect(line).toMatchObject({ configured: true });
    expect(line?.detail).not.toContain('pw');
    expect(line?.detail).not.toContain('s3cr3tHookToken');
  });

  it('refuses plain http to another host, half a pair, and unknown kinds — naming the variable, never the value', () => {
    const cases: [Record<string, string>, string][] = [
      [{ SLACK_WEBHOOK_URL: 'http://hooks.example.com/s3cr3t' }, 'SLACK_WEBHOOK_URL must be an https:// URL'],
      [
        { NOTIFY_WEBHOOK_URL: 'https://x.example.com/s3cr3t' },
        'NOTIFY_WEBHOOK_URL and NOTIFY_WEBHOOK_SECRET must be set together',
      ],
      [{ SMTP_URL: 'mail.example.com', NOTIFY_EMAIL_TO: 'a@b' }, 'SMTP_URL must be an smtp:// or smtps:// URL'],
      [{ SMTP_URL: 'smtp://mail.example.com' }, 'SMTP_URL and NOTIFY_EMAIL_TO must be set together'],
      [{ NOTIFY_EVENTS: 'run.failed,s3cr3t' }, 'NOTIFY_EVENTS must be all, none, or notification kinds'],
    ];
    for (const [env, message] of cases) {
      const result = loadConfig(env);
      expect(result.isErr(), JSON.stringify(env)).toBe(true);
      const error = result._unsafeUnwrapErr();
      expect(error).toContain(message);
      expect(error).not.toContain('s3cr3t');
    }
  });

  it('keeps the URLs and secrets out of the overlay and marks them secret in the schema', () => {
    const config = loadConfig({})._unsafeUnwrap();
    const catalog = createConfigCatalog(config, config);
    for (const key of ['SLACK_WEBHOOK_URL', 'NOTIFY_WEBHOOK_URL', 'NOTIFY_WEBHOOK_SECRET', 'SMTP_URL']) {
      expect(catalog.keys.find((k) => k.key === key)).toMatchObject({ secret: true, overlayable: false });
    }
    expect(catalog.validate({ NOTIFY_EVENTS: 'run.failed' }).isOk()).toBe(true);
    expect(catalog.validate({ SLACK_WEBHOOK_URL: hook }).isErr()).toBe(true);
  });
});
