import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asValue } from 'awilix';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../hosts/config.js';
import { createOrchestrator, type Orchestrator } from '../../../hosts/container.js';
import { createLogger } from '../../../hosts/logger.js';
import { type FakeSlack, startFakeSlack } from '../../../testing/fakes/slack/fake-slack.js';
import { ACCESS_CODE } from '../harness.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('several replicas work one notification queue', () => {
  it('delivers each notification once, whichever replica claims it', async () => {
    const slack: FakeSlack = await startFakeSlack();
    cleanups.push(() => slack.close());
    const dataDir = mkdtempSync(join(tmpdir(), 'ai-implement-notify-replicas-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const replicas: Orchestrator[] = [];
    for (const port of ['41201', '41202']) {
      const config = loadConfig({
        ADMIN_ACCESS_CODE: ACCESS_CODE,
        DATA_DIR: dataDir,
        PORT: port,
        SLACK_WEBHOOK_URL: slack.url,
      })._unsafeUnwrap();
      const replica = await createOrchestrator(config, {
        logger: asValue(createLogger({ secrets: [], write: () => undefined })),
      });
      cleanups.push(() => replica.dispose());
      replicas.push(replica);
    }
    const [a, b] = replicas as [Orchestrator, Orchestrator];
    // Queue from both sides, and let both workers run at once, over and over.
    for (let i = 0; i < 30; i++) {
      const origin = i % 2 === 0 ? a : b;
      await origin.cradle.notifications.notify({
        kind: 'run.failed',
        at: i,
        title: `ENG-${i}: implementation run failed`,
        text: 'failed',
        links: [],
      });
    }
    for (let round = 0; round < 5; round++) {
      await Promise.all([a.cradle.notificationWorker.run(), b.cradle.notificationWorker.run()]);
    }
    const delivered = await a.cradle.storage.notifications.count({ status: 'delivered' });
    expect(delivered).toBe(30);
    const titles = slack.messages.map((m) => String(m.payload.text).split(':')[0]);
    expect(titles).toHaveLength(30);
    expect(new Set(titles).size).toBe(30);
  });
});
