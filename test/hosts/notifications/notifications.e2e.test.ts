import { afterEach, describe, expect, it } from 'vitest';
import { type FakeSlack, startFakeSlack } from '../../../testing/fakes/slack/fake-slack.js';
import type { Harness } from '../harness.js';
import { eventually, listed, runningJob, startNotifying } from './notifications-world.js';

let h: Harness | undefined;
let slack: FakeSlack | undefined;
afterEach(async () => {
  await h?.close();
  await slack?.close();
  h = undefined;
  slack = undefined;
});

describe('notifications end to end (fake Slack on loopback)', () => {
  it('a failed run produces one Slack message, listed with its attempt', async () => {
    slack = await startFakeSlack();
    const started = await startNotifying({ SLACK_WEBHOOK_URL: slack.url });
    h = started.h;
    const { cradle } = h.orchestrator;
    const job = await runningJob(h, 'job-1');

    await cradle.jobOutcome.record(job.id, { type: 'failed', error: 'npm test exited 1', at: h.clock.now() });
    // The same callback again (a runner retrying): the job is already failed, nothing new.
    await cradle.jobOutcome.record(job.id, { type: 'failed', error: 'npm test exited 1', at: h.clock.now() });
    await cradle.notifications.idle();
    await eventually(() => expect(slack?.messages).toHaveLength(1));
    await cradle.notificationWorker.run();
    expect(slack.messages).toHaveLength(1);

    const text = JSON.stringify(slack.messages[0]?.payload);
    expect(text).toContain('ENG-12: implementation run failed');
    expect(text).toContain('npm test exited 1');
    expect(text).toContain('https://github.com/acme/app/actions/runs/77');

    const page = await eventually(async () => {
      const page = await listed(h as Harness, started.token);
      expect(page.notifications[0]?.status).toBe('delivered');
      return page;
    });
    expect(page.total).toBe(1);
    expect(page.notifications[0]).toMatchObject({
      id: 'run.failed.job-1.slack',
      channel: 'slack',
      attemptCount: 1,
      message: { kind: 'run.failed', issue: 'ENG-12', stage: 'implementation', reason: 'npm test exited 1' },
    });
    expect(page.notifications[0]?.attempts[0]).toMatchObject({ ok: true, status: 200, detail: 'HTTP 200 ok' });
    // The hook's URL is the credential: it is in no answer and no log line.
    const all = JSON.stringify(page) + h.logs.join('\n');
    expect(all).not.toContain('fakeHookToken');
  });

  it('Slack hanging, then down: retried with exponential backoff until delivered; dispatching goes on meanwhile', async () => {
    slack = await startFakeSlack({ mode: 'hang' });
    const started = await startNotifying({ SLACK_WEBHOOK_URL: slack.url, NOTIFY_TIMEOUT_MS: '800' });
    h = started.h;
    const { cradle } = h.orchestrator;
    const token = started.token;
    expect(
      (
        await h.call('POST', '/api/mappings', {
          token,
          body: { teamKey: 'LOC', ticketing: 'local', owner: 'acme', repo: 'app', defaultBranch: 'main' },
        })
      ).status,
    ).toBe(200);
    const local = await cradle.trackerStore.create({ teamKey: 'LOC', title: 'local work', labels: ['AI-Implement'] });
    if ('missing' in local) throw new Error('unexpected');
    const job = await runningJob(h, 'job-2', { phase: 'planning' });

    // The failure's outcome, and a dispatch, while Slack holds the notification's request open.
    const t0 = performance.now();
    await cradle.jobOutcome.record(job.id, { type: 'timed-out', reason: 'machine_timeout', at: h.clock.now() });
    await cradle.notifications.idle();
    const report = await cradle.reconcile.request();
    const elapsed = performance.now() - t0;
    expect(report.dispatched).toEqual([expect.objectContaining({ identifier: local.identifier })]);
    expect(elapsed).toBeLessThan(700);

    const id = 'run.timed_out.job-2.slack';
    const first = await eventually(async () => {
      const n = await cradle.storage.notifications.get(id);
      expect(n?.attemptCount).toBe(1);
      return n;
    });
    expect(first).toMatchObject({ status: 'pending' });
    expect(first?.attempts[0]).toMatchObject({ ok: false, detail: 'no answer within 800 ms' });
    const firstWait = (first?.nextAttemptAt ?? 0) - (first?.updatedAt ?? 0);
    expect(firstWait).toBeGreaterThanOrEqual(15_000);
    expect(firstWait).toBeLessThanOrEqual(30_000);

    // Not due yet: the worker leaves it alone.
    expect((await cradle.notificationWorker.run()).claimed).toBe(0);

    slack.mode = 'down';
    h.clock.advance(firstWait);
    expect(await cradle.notificationWorker.run()).toMatchObject({ claimed: 1, retrying: 1 });
    const second = await cradle.storage.notifications.get(id);
    expect(second?.attempts[1]).toMatchObject({ ok: false, status: 500, detail: 'HTTP 500: internal_error' });
    const secondWait = (second?.nextAttemptAt ?? 0) - (second?.updatedAt ?? 0);
    expect(secondWait).toBeGreaterThanOrEqual(30_000);
    expect(secondWait).toBeLessThanOrEqual(60_000);

    slack.mode = 'ok';
    h.clock.advance(secondWait);
    expect(await cradle.notificationWorker.run()).toMatchObject({ claimed: 1, delivered: 1 });
    expect(slack.messages).toHaveLength(1);
    expect(JSON.stringify(slack.messages[0]?.payload)).toContain('ENG-12: planning run timed out');
    expect(await cradle.storage.notifications.get(id)).toMatchObject({ status: 'delivered', attemptCount: 3 });
  });
});
