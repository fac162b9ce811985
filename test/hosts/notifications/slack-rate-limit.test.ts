import { afterEach, describe, expect, it } from 'vitest';
import { type FakeSlack, startFakeSlack } from '../../../testing/fakes/slack/fake-slack.js';
import type { Harness } from '../harness.js';
import { eventually, runningJob, startNotifying } from './notifications-world.js';

let h: Harness | undefined;
let slack: FakeSlack | undefined;
afterEach(async () => {
  await h?.close();
  await slack?.close();
  h = undefined;
  slack = undefined;
});

/**
 * Slack answers a webhook that sends too fast with 429 and Retry-After. The queue tries that
 * notification again no sooner than Slack said (its own backoff, 30 s at first, being shorter),
 * and the run's outcome is recorded whatever Slack says.
 */
describe('a Slack webhook that rate limits (fake Slack on loopback)', () => {
  it('429 with Retry-After 300: the retry is scheduled after 300 s, not 15–30 s; nothing is sent before', async () => {
    slack = await startFakeSlack({ mode: 'limited' });
    slack.retryAfterSeconds = 300;
    const started = await startNotifying({ SLACK_WEBHOOK_URL: slack.url });
    h = started.h;
    const { cradle } = h.orchestrator;

    const job = await runningJob(h, 'job-limited');
    await cradle.jobOutcome.record(job.id, { type: 'failed', error: 'npm test exited 1', at: h.clock.now() });
    expect((await cradle.storage.jobs.get(job.id))?.status).toBe('failed');
    await cradle.notifications.idle();
    const id = 'run.failed.job-limited.slack';
    await eventually(async () => expect((await cradle.storage.notifications.get(id))?.attemptCount).toBe(1));
    const row = await cradle.storage.notifications.get(id);
    expect(row?.attempts[0]).toMatchObject({ ok: false, status: 429 });
    expect((row?.nextAttemptAt ?? 0) - (row?.updatedAt ?? 0)).toBeGreaterThanOrEqual(300_000);

    // Rounds inside the window send nothing.
    const sent = slack.requests.length;
    for (const seconds of [30, 60, 120, 290]) {
      h.clock.set((row?.updatedAt ?? 0) + seconds * 1000);
      await cradle.notificationWorker.run();
    }
    expect(slack.requests.length).toBe(sent);

    slack.mode = 'ok';
    h.clock.set(row?.nextAttemptAt ?? 0);
    await cradle.notificationWorker.run();
    expect(await cradle.storage.notifications.get(id)).toMatchObject({ status: 'delivered', attemptCount: 2 });
    expect(slack.messages).toHaveLength(1);
  });
});
