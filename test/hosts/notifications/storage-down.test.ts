import { asValue } from 'awilix';
import { afterEach, describe, expect, it } from 'vitest';
import { createUnstorageStorage } from '../../../adapters/storage/unstorage/unstorage.adapter.js';
import { type FakeSlack, startFakeSlack } from '../../../testing/fakes/slack/fake-slack.js';
import { ACCESS_CODE, type Harness, startHarness } from '../harness.js';
import { failingStorage } from '../health/failing-storage.js';
import { eventually } from './notifications-world.js';

let h: Harness | undefined;
let slack: FakeSlack | undefined;
afterEach(async () => {
  await h?.close();
  await slack?.close();
  h = undefined;
  slack = undefined;
});

describe('the orchestrator cannot reach its storage', () => {
  it('says so on Slack directly (the queue lives in the store), once per outage', async () => {
    slack = await startFakeSlack();
    const real = await createUnstorageStorage({ driver: 'memory' });
    const failing = failingStorage(real);
    h = await startHarness(
      'memory',
      { ADMIN_ACCESS_CODE: ACCESS_CODE, SLACK_WEBHOOK_URL: slack.url },
      { storage: asValue(failing.storage) },
    );
    const token = await h.login();
    failing.down = true;
    for (let i = 0; i < 3; i++) expect((await h.call('GET', '/api/mappings', { token })).status).toBe(503);
    await h.orchestrator.cradle.notifications.idle();
    await eventually(() => expect(slack?.messages).toHaveLength(1));
    expect(JSON.stringify(slack.messages[0]?.payload)).toContain('The orchestrator cannot reach its storage');
    expect(JSON.stringify(slack.messages[0]?.payload)).toContain('ECONNREFUSED');
    failing.down = false;
    await real.close();
  });
});
