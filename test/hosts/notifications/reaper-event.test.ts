import { afterEach, describe, expect, it } from 'vitest';
import type { OrchestratorEvent } from '../../../ports/event-bus.port.js';
import { FAKE_FLY_APP } from '../../../testing/fakes/fly/fake-fly.server.js';
import { T0 } from '../harness.js';
import { type RunnersHarness, startRunnersHarness } from '../runners/runners-harness.js';

let h: RunnersHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('the reaper tells the bus what it destroyed (for notifications)', () => {
  it('publishes reaper.destroyed for each session destroyed on the fake Fly', async () => {
    h = await startRunnersHarness();
    const { cradle } = h.orchestrator;
    const seen: OrchestratorEvent[] = [];
    cradle.eventBus.subscribe((event) => {
      if (event.type === 'reaper.destroyed') seen.push(event);
    });
    const orphan = h.fly.seedMachine(FAKE_FLY_APP, {
      state: 'started',
      createdAt: T0,
      metadata: { job_id: 'ghost-job', issue: 'ENG-404' },
    });
    h.clock.set(T0 + 60 * 60_000);
    await cradle.reaper.sweep();
    expect(seen).toEqual([
      {
        type: 'reaper.destroyed',
        at: T0 + 60 * 60_000,
        identifier: 'ENG-404',
        data: { rule: 'orphan', runner: 'fly-machines', machineId: orphan.id, ageSeconds: 3600 },
      },
    ]);
  });
});
