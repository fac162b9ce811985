import { afterEach, describe, expect, it } from 'vitest';
import { startSignedWebhookReceiver } from '../../../testing/fakes/notify-webhook/signed-webhook-receiver.js';
import { type FakeSlack, startFakeSlack } from '../../../testing/fakes/slack/fake-slack.js';
import { startSmtpSink } from '../../fakes/smtp/smtp-sink.js';
import { ACCESS_CODE, startHarness } from '../harness.js';
import { eventually, listed, runningJob, startNotifying } from './notifications-world.js';

const SECRET = 'notify-signing-secret-42';
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});
const track = <T extends { close(): Promise<void> }>(thing: T): T => {
  closers.push(() => thing.close());
  return thing;
};

describe('POST /api/notifications/test', () => {
  it('sends through each configured channel and answers what happened; refuses the others with 400', async () => {
    const slack = track(await startFakeSlack());
    // The receiver's clock is the orchestrator's (a manual clock at T0): the timestamp must be near it.
    let clock = () => Date.now();
    const receiver = track(await startSignedWebhookReceiver(SECRET, () => clock()));
    const sink = track(await startSmtpSink());
    const { h, token } = await startNotifying({
      SLACK_WEBHOOK_URL: slack.url,
      NOTIFY_WEBHOOK_URL: receiver.url,
      NOTIFY_WEBHOOK_SECRET: SECRET,
      SMTP_URL: sink.url,
      NOTIFY_EMAIL_TO: 'ops@example.com',
    });
    track(h);
    clock = () => h.clock.now();
    for (const channel of ['slack', 'webhook', 'email']) {
      const res = await h.call('POST', '/api/notifications/test', { token, body: { channel } });
      expect(res.status, channel).toBe(200);
      expect(await res.json()).toMatchObject({ channel, delivered: true });
    }
    expect(slack.messages).toHaveLength(1);
    expect(receiver.received.map((r) => r.verdict)).toEqual(['ok']);
    expect(sink.mails).toHaveLength(1);

    slack.mode = 'down';
    const failed = await h.call('POST', '/api/notifications/test', { token, body: { channel: 'slack' } });
    expect(await failed.json()).toMatchObject({ delivered: false, status: 500, detail: 'HTTP 500: internal_error' });

    const page = await listed(h, token, '?status=failed');
    expect(page.notifications.map((n) => [n.channel, n.message.kind])).toEqual([['slack', 'test']]);
    expect((await listed(h, token, '?channel=email&limit=1')).total).toBe(1);
    const everything = JSON.stringify(await listed(h, token)) + h.logs.join('\n');
    expect(everything).not.toContain(SECRET);
    expect(everything).not.toContain('fakeHookToken');
  });

  it('answers 400 in the { error } shape for an unknown or unconfigured channel and bad input; admin only', async () => {
    const h = track(await startHarness('memory', { ADMIN_ACCESS_CODE: ACCESS_CODE }));
    const token = await h.login();
    const cases: [unknown, string][] = [
      [{ channel: 'email' }, 'Notification channel not configured: email'],
      [{ channel: 'slack' }, 'Notification channel not configured: slack'],
      [{ channel: 'pager' }, 'channel must be one of: slack, webhook, email'],
      [{}, 'channel must be one of: slack, webhook, email'],
      [[], 'Invalid request body'],
    ];
    for (const [body, error] of cases) {
      const res = await h.call('POST', '/api/notifications/test', { token, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(await res.json()).toEqual({ error });
    }
    const garbage = await h.call('POST', '/api/notifications/test', { token, raw: '{"channel":' });
    expect(garbage.status).toBe(400);
    expect((await h.call('GET', '/api/notifications?status=bogus', { token })).status).toBe(400);
    expect((await h.call('GET', '/api/notifications')).status).toBe(401);
    expect((await h.call('POST', '/api/notifications/test', { body: { channel: 'slack' } })).status).toBe(401);
    expect(await (await h.call('GET', '/api/notifications?limit=abc', { token })).json()).toMatchObject({
      notifications: [],
      total: 0,
      limit: 50,
      offset: 0,
      channels: { slack: false, webhook: false, email: false },
    });
  });
});

describe('channel routing and per-event opt-in', () => {
  it('sends a team’s events to its mapping’s own Slack (a secret in the secrets store), honours its NOTIFY_EVENTS', async () => {
    const global = track(await startFakeSlack());
    const engSlack: FakeSlack = track(await startFakeSlack());
    const { h, token } = await startNotifying({ SLACK_WEBHOOK_URL: global.url, NOTIFY_EVENTS: 'run.failed,review.failed' });
    track(h);
    const setSecret = async (key: string, value: string) =>
      expect((await h.call('POST', `/api/v1/secrets/${key}`, { token, body: { value } })).status).toBe(200);
    await setSecret('ENG_SLACK_WEBHOOK_URL', engSlack.url);
    await setSecret('OPS_NOTIFY_EVENTS', 'none');
    const { cradle } = h.orchestrator;

    const at = () => h.clock.now();
    await runningJob(h, 'eng-1');
    await runningJob(h, 'web-1', { teamKey: 'WEB', identifier: 'WEB-3' });
    await runningJob(h, 'ops-1', { teamKey: 'OPS', identifier: 'OPS-9' });
    await runningJob(h, 'web-2', { teamKey: 'WEB', identifier: 'WEB-4' });
    for (const id of ['eng-1', 'web-1', 'ops-1']) await cradle.jobOutcome.record(id, { type: 'failed', error: 'boom', at: at() });
    // Timed out is not among the global opt-ins.
    await cradle.jobOutcome.record('web-2', { type: 'timed-out', reason: 'machine_timeout', at: at() });
    await cradle.notifications.idle();
    await eventually(() => {
      expect(engSlack.messages).toHaveLength(1);
      expect(global.messages).toHaveLength(1);
    });
    await cradle.notificationWorker.run();
    expect(JSON.stringify(engSlack.messages[0]?.payload)).toContain('ENG-12');
    expect(JSON.stringify(global.messages[0]?.payload)).toContain('WEB-3');
    const page = await listed(h, token);
    expect(page.notifications.map((n) => [n.message.issue, n.route ?? 'global'])).toEqual(
      expect.arrayContaining([
        ['ENG-12', 'ENG'],
        ['WEB-3', 'global'],
      ]),
    );
    expect(page.total).toBe(2);
    expect(JSON.stringify(page)).not.toContain(engSlack.url);
  });

  it('publishes a plan waiting for approval, but not an auto-approved one', async () => {
    const slack = track(await startFakeSlack());
    const { h, token } = await startNotifying({ SLACK_WEBHOOK_URL: slack.url });
    track(h);
    for (const [teamKey, autoApprovePlans] of [
      ['ENG', false],
      ['AUTO', true],
    ] as const) {
      const res = await h.call('POST', '/api/mappings', {
        token,
        body: { teamKey, ticketing: 'local', owner: 'acme', repo: 'app', defaultBranch: 'main', autoApprovePlans },
      });
      expect(res.status).toBe(200);
    }
    const { cradle } = h.orchestrator;
    await runningJob(h, 'plan-1', { phase: 'planning' });
    await runningJob(h, 'plan-2', { phase: 'planning', teamKey: 'AUTO', identifier: 'AUTO-1' });
    await runningJob(h, 'impl-1', { identifier: 'ENG-13' });
    for (const id of ['plan-1', 'plan-2', 'impl-1'])
      await cradle.jobOutcome.record(id, { type: 'succeeded', prUrl: 'https://github.com/acme/app/pull/1', at: h.clock.now() });
    await cradle.notifications.idle();
    await eventually(() => expect(slack.messages).toHaveLength(1));
    await cradle.notificationWorker.run();
    expect(slack.messages).toHaveLength(1);
    expect(JSON.stringify(slack.messages[0]?.payload)).toContain('ENG-12: plan waiting for approval');
  });
});

describe('operational events', () => {
  it('turns a refused credential, an opened circuit, a budget and a reaper kill into notifications', async () => {
    const slack = track(await startFakeSlack());
    const { h } = await startNotifying({ SLACK_WEBHOOK_URL: slack.url });
    track(h);
    const { cradle } = h.orchestrator;
    const at = h.clock.now();
    const data = { service: 'github', connectionId: 'github:https://api.github.com#abcd1234', baseUrl: 'https://api.github.com' };
    cradle.eventBus.publish({ type: 'connector.credential_refused', at, message: 'Bad credentials', data });
    cradle.eventBus.publish({ type: 'connector.circuit_opened', at, data });
    cradle.eventBus.publish({
      type: 'budget.reached',
      at,
      teamKey: 'ENG',
      data: { scope: 'team', spentUsd: 51.2, budgetUsd: 50 },
    });
    cradle.eventBus.publish({
      type: 'reaper.destroyed',
      at,
      identifier: 'ENG-5',
      data: { rule: 'orphan', runner: 'fly-machines', machineId: 'm-1', ageSeconds: 900 },
    });
    // Not news: a reconcile cycle.
    cradle.eventBus.publish({
      type: 'reconcile.finished',
      at,
      data: { dispatched: 0, skipped: 0, errors: 0, errorTeams: [], durationMs: 1 },
    });
    await cradle.notifications.idle();
    await eventually(() => expect(slack.messages).toHaveLength(4));
    const titles = slack.messages.map((m) => (m.payload.blocks as { text?: { text: string } }[])[0]?.text?.text).sort();
    expect(titles).toEqual([
      'Budget reached for team ENG',
      'GitHub circuit opened',
      "GitHub refused the orchestrator's credential",
      'Reaper destroyed fly-machines session m-1',
    ]);
  });
});
