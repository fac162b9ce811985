import { afterEach, describe, expect, it } from 'vitest';
import { MAX_DELIVERY_ATTEMPTS } from '../../../core/domain/notifications.js';
import { type FakeSlack, startFakeSlack } from '../../../testing/fakes/slack/fake-slack.js';
import type { Harness } from '../harness.js';
import { parseExposition, sampleValue } from '../v1/prometheus-parser.js';
import { eventually, runningJob, startNotifying } from './notifications-world.js';

let h: Harness | undefined;
let slack: FakeSlack | undefined;
afterEach(async () => {
  await h?.close();
  await slack?.close();
  h = undefined;
  slack = undefined;
});

const FAMILY = 'ai_implement_notifications_total';

async function counted(harness: Harness): Promise<(labels: Record<string, string>) => number | undefined> {
  const res = await harness.call('GET', '/metrics');
  expect(res.status).toBe(200);
  const text = await res.text();
  const families = parseExposition(text);
  expect(families.get(FAMILY)?.type).toBe('counter');
  return (labels) => sampleValue(families, FAMILY, labels);
}

describe('/metrics counts the notification queue’s attempts (fake Slack on loopback)', () => {
  it('sent, failed with a retry scheduled, and dropped once the attempts are exhausted, by channel and kind', async () => {
    slack = await startFakeSlack({ mode: 'down' });
    const started = await startNotifying({ SLACK_WEBHOOK_URL: slack.url });
    h = started.h;
    const { cradle } = h.orchestrator;

    const doomed = await runningJob(h, 'job-doomed');
    await cradle.jobOutcome.record(doomed.id, { type: 'failed', error: 'npm test exited 1', at: h.clock.now() });
    await cradle.notifications.idle();
    const id = 'run.failed.job-doomed.slack';
    await eventually(async () => expect((await cradle.storage.notifications.get(id))?.attemptCount).toBe(1));
    // Each retry when it is due, until the queue gives up.
    for (let attempt = 2; attempt <= MAX_DELIVERY_ATTEMPTS; attempt++) {
      const row = await cradle.storage.notifications.get(id);
      h.clock.set(row!.nextAttemptAt);
      await cradle.notificationWorker.run();
    }
    expect(await cradle.storage.notifications.get(id)).toMatchObject({ status: 'failed', attemptCount: MAX_DELIVERY_ATTEMPTS });

    let count = await counted(h);
    const failedRun = { channel: 'slack', kind: 'run.failed' };
    expect(count({ ...failedRun, outcome: 'failed' })).toBe(MAX_DELIVERY_ATTEMPTS - 1);
    expect(count({ ...failedRun, outcome: 'dropped' })).toBe(1);
    expect(count({ ...failedRun, outcome: 'sent' })).toBeUndefined();

    slack.mode = 'ok';
    const fine = await runningJob(h, 'job-fine', { phase: 'planning' });
    await cradle.jobOutcome.record(fine.id, { type: 'timed-out', reason: 'machine_timeout', at: h.clock.now() });
    await cradle.notifications.idle();
    await eventually(() => expect(slack?.messages).toHaveLength(1));
    await eventually(async () => {
      count = await counted(h as Harness);
      expect(count({ channel: 'slack', kind: 'run.timed_out', outcome: 'sent' })).toBe(1);
    });
    expect(count({ ...failedRun, outcome: 'dropped' })).toBe(1);
    // Nothing of the hook's URL (the credential) is a label.
    const text = await (await h.call('GET', '/metrics')).text();
    expect(text).not.toContain(new URL(slack.url).pathname);
  });
});
