import { describe, expect, expectTypeOf, it } from 'vitest';
import { createInProcessEventBus } from '../../adapters/event-bus/in-process.adapter.js';
import type { OrchestratorEvent, OrchestratorEventType } from '../../ports/event-bus.port.js';

describe('the EventBus’s typed event union', () => {
  it('narrows `data` by `type`, and refuses events nobody publishes (checked by tsc)', () => {
    const bus = createInProcessEventBus();
    const seen: OrchestratorEvent[] = [];
    bus.subscribe((event) => {
      seen.push(event);
      if (event.type === 'job.created')
        expectTypeOf(event.data.runner).toEqualTypeOf<'github-actions' | 'fly-machines' | 'local' | 'shadow'>();
      if (event.type === 'reconcile.finished') expectTypeOf(event.data.errorTeams).toEqualTypeOf<string[]>();
    });
    bus.publish({ type: 'job.run-linked', at: 1, jobId: 'j', issueId: 'i', identifier: 'ENG-1', teamKey: 'ENG' });
    // @ts-expect-error — no such event type
    bus.publish({ type: 'test.flood', at: 0 });
    // @ts-expect-error — a job change names its job, issue and team
    bus.publish({ type: 'job.failed', at: 0 });
    // @ts-expect-error — a dispatch says its phase and runner
    bus.publish({ type: 'job.created', at: 0, jobId: 'j', issueId: 'i', identifier: 'ENG-1', teamKey: 'ENG' });
    expectTypeOf<
      'job.timed_out' | 'job.timed-out' | 'mapping.deleted' | 'issue.model_set'
    >().toMatchTypeOf<OrchestratorEventType>();
    expect(seen.map((e) => e.type)).toEqual(['job.run-linked', 'test.flood', 'job.failed', 'job.created']);
  });
});
