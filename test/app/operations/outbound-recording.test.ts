import { errAsync, okAsync } from 'neverthrow';
import { describe, expect, it } from 'vitest';
import type { OutboundAttempt } from '../../../core/app/operations/connector-events.service.js';
import { recordingRunner, recordingTicketing } from '../../../core/app/operations/outbound-recording.js';
import type { Runner } from '../../../ports/runner.port.js';
import type { Ticketing } from '../../../ports/ticketing.port.js';

describe('outbound recording', () => {
  it('reports each comment and stage move with its result, returns the result untouched, and passes other members through', async () => {
    const attempts: OutboundAttempt[] = [];
    let fail = true;
    const ticketing = {
      comment: () => (fail ? errAsync({ kind: 'unavailable' as const, message: 'HTTP 502' }) : okAsync(undefined)),
      moveToStage: () => errAsync({ kind: 'auth' as const, message: 'HTTP 401' }),
      extra: 'kept',
    } as unknown as Ticketing & { extra: string };
    const recorded = recordingTicketing('linear', ticketing, (a) => attempts.push(a)) as Ticketing & { extra: string };

    const failed = await recorded.comment('issue-1', 'hello');
    expect(failed._unsafeUnwrapErr()).toEqual({ kind: 'unavailable', message: 'HTTP 502' });
    fail = false;
    expect((await recorded.comment('issue-1', 'hello')).isOk()).toBe(true);
    const moved = await recorded.moveToStage({ identifier: 'ENG-1' } as never, 'pr_opened', {} as never);
    expect(moved.isErr()).toBe(true);
    expect(recorded.extra).toBe('kept');
    expect(attempts).toEqual([
      { source: 'linear', event: 'comment', target: 'issue-1', ok: false, error: 'HTTP 502' },
      { source: 'linear', event: 'comment', target: 'issue-1', ok: true },
      { source: 'linear', event: 'move', target: 'ENG-1', ok: false, error: 'to pr_opened: HTTP 401' },
    ]);
  });

  it('reports a failed workflow dispatch under the runner source', async () => {
    const attempts: OutboundAttempt[] = [];
    const runner = { launch: () => errAsync({ kind: 'invalid' as const, message: 'workflow not found' }) } as unknown as Runner;
    const recorded = recordingRunner('github-actions', runner, (a) => attempts.push(a));
    await recorded.launch({ job: { id: 'job-1', identifier: 'ENG-7' }, mapping: {}, env: {} } as never);
    expect(attempts).toEqual([
      { source: 'runner', event: 'workflow_dispatch', target: 'ENG-7', ok: false, error: 'workflow not found' },
    ]);
  });
});
