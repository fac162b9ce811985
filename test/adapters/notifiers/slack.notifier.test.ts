import { afterEach, describe, expect, it } from 'vitest';
import { createSlackNotifier, slackPayload } from '../../../adapters/notifiers/slack.notifier.js';
import type { NotificationMessage } from '../../../core/domain/notifications.js';
import { FAKE_SLACK_HOOK_PATH, type FakeSlack, startFakeSlack } from '../../../testing/fakes/slack/fake-slack.js';
import { checkSlackPayload } from '../../../testing/fakes/slack/slack-blocks.js';

const message: NotificationMessage = {
  kind: 'run.failed',
  at: Date.UTC(2026, 0, 1),
  teamKey: 'ENG',
  issue: 'ENG-12',
  stage: 'implementation',
  title: 'ENG-12: implementation run failed',
  text: 'The implementation run of ENG-12 failed <because> of & things.',
  reason: 'npm test exited 1',
  links: [
    { label: 'Run', url: 'https://github.com/acme/app/actions/runs/1' },
    { label: 'Admin', url: 'http://127.0.0.1:4000/admin#issues' },
  ],
};

let slack: FakeSlack | undefined;
afterEach(async () => {
  await slack?.close();
  slack = undefined;
});

describe('the fake Slack checks the payload shape Slack documents', () => {
  it('refuses what Slack refuses: no text, an over-long header, a button that is not plain text', () => {
    expect(checkSlackPayload({})).toMatchObject({ error: 'no_text' });
    expect(checkSlackPayload([])).toMatchObject({ error: 'invalid_payload' });
    expect(
      checkSlackPayload({ blocks: [{ type: 'header', text: { type: 'plain_text', text: 'x'.repeat(151) } }] }),
    ).toMatchObject({ error: 'invalid_blocks' });
    expect(checkSlackPayload({ blocks: [{ type: 'header', text: { type: 'mrkdwn', text: '*bold*' } }] })).toMatchObject({
      error: 'invalid_blocks',
    });
    expect(
      checkSlackPayload({
        blocks: [{ type: 'actions', elements: [{ type: 'button', text: { type: 'mrkdwn', text: 'x' }, url: 'https://x' }] }],
      }),
    ).toMatchObject({ error: 'invalid_blocks' });
    expect(
      checkSlackPayload({ blocks: [{ type: 'section', fields: new Array(11).fill({ type: 'mrkdwn', text: 'x' }) }] }),
    ).toMatchObject({
      error: 'invalid_blocks',
    });
    expect(checkSlackPayload({ text: 'hello' })).toBeUndefined();
  });

  it('answers 400 invalid_blocks on the wire, and 404 no_service on another path', async () => {
    slack = await startFakeSlack();
    const bad = await fetch(slack.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ blocks: [{ type: 'bogus' }] }),
    });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toBe('invalid_blocks');
    const wrong = await fetch(slack.url.replace(FAKE_SLACK_HOOK_PATH, '/services/T/B/other'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'x' }),
    });
    expect(wrong.status).toBe(404);
    expect(slack.messages).toHaveLength(0);
  });
});

describe('Slack notifier (@slack/webhook against the fake Slack)', () => {
  it('posts one Block Kit message with the issue, stage, reason and links, which Slack takes', async () => {
    slack = await startFakeSlack();
    const result = await createSlackNotifier({ url: slack.url }).send(message, 'n1');
    expect(result).toMatchObject({ ok: true, status: 200 });
    expect(slack.messages).toHaveLength(1);
    const payload = slack.messages[0]?.payload as ReturnType<typeof slackPayload>;
    expect(payload).toEqual(JSON.parse(JSON.stringify(slackPayload(message))));
    expect(payload.text).toContain('ENG-12: implementation run failed');
    type Block = { type: string; text: { text: string }; fields: { text: string }[]; elements: { url: string }[] };
    const [header, section, actions, context] = payload.blocks as unknown as Block[];
    expect(header).toMatchObject({ type: 'header', text: { type: 'plain_text', text: message.title } });
    expect(section?.text.text).toBe('The implementation run of ENG-12 failed &lt;because&gt; of &amp; things.');
    expect(section?.fields.map((f) => f.text)).toEqual([
      '*Issue*\nENG-12',
      '*Stage*\nimplementation',
      '*Team*\nENG',
      '*Reason*\nnpm test exited 1',
    ]);
    expect(actions?.elements.map((e) => e.url)).toEqual(message.links.map((l) => l.url));
    expect(context?.type).toBe('context');
  });

  it('keeps long titles and texts inside Slack’s limits', async () => {
    slack = await startFakeSlack();
    const long = { ...message, title: 'T'.repeat(400), text: 'x'.repeat(5000), reason: 'r'.repeat(4000) };
    expect(await createSlackNotifier({ url: slack.url }).send(long, 'n2')).toMatchObject({ ok: true });
  });

  it('reports Slack down as a retryable failure, without the hook’s token', async () => {
    slack = await startFakeSlack({ mode: 'down' });
    const result = await createSlackNotifier({ url: slack.url }).send(message, 'n3');
    expect(result).toEqual({ ok: false, retryable: true, status: 500, error: 'HTTP 500: internal_error' });
  });

  it('gives up on a Slack that hangs within its timeout, and on one that hangs up', async () => {
    slack = await startFakeSlack({ mode: 'hang' });
    const started = Date.now();
    const result = await createSlackNotifier({ url: slack.url, timeoutMs: 300 }).send(message, 'n4');
    expect(Date.now() - started).toBeLessThan(2000);
    expect(result).toMatchObject({ ok: false, retryable: true });
    slack.mode = 'refuse';
    const cut = await createSlackNotifier({ url: slack.url, timeoutMs: 2000 }).send(message, 'n5');
    expect(cut).toMatchObject({ ok: false, retryable: true });
    expect(JSON.stringify([result, cut])).not.toContain('fakeHookToken');
  });

  it('treats a payload Slack refuses as final (not retried)', async () => {
    slack = await startFakeSlack();
    const result = await createSlackNotifier({ url: slack.url }).send({ ...message, title: '' }, 'n6');
    expect(result).toEqual({ ok: false, retryable: false, status: 400, error: 'HTTP 400: invalid_blocks' });
  });
});
