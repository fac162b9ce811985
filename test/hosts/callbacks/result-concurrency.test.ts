import { afterEach, describe, expect, it } from 'vitest';
import { RUN_ENV } from '../../../core/app/dispatch/run-environment.js';
import { STORAGE_KINDS } from '../harness.js';
import { type CallbackHarness, resultBody, startCallbackHarness, startPostgresReplicas } from './callbacks-harness.js';

const CALLS = 100;

async function statuses(responses: Response[]): Promise<{ ok: number; consumed: number; other: string[] }> {
  let ok = 0;
  let consumed = 0;
  const other: string[] = [];
  for (const res of responses) {
    const body = (await res.json()) as { error?: string };
    if (res.status === 200) ok++;
    else if (res.status === 409 && body.error === 'already_consumed') consumed++;
    else other.push(`${res.status} ${JSON.stringify(body)}`);
  }
  return { ok, consumed, other };
}

describe('one result token, 100 concurrent calls', () => {
  const open: CallbackHarness[] = [];
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const h of open.splice(0)) await h.close();
    for (const c of cleanups.splice(0)) await c();
  });

  it.each(STORAGE_KINDS)('%s storage: exactly one succeeds, 99 get 409 already_consumed, one outcome comment', async (kind) => {
    const h = await startCallbackHarness({ kind });
    open.push(h);
    const issue = await h.createIssue();
    const run = await h.dispatch();
    const token = run.env[RUN_ENV.resultToken]!;
    const body = resultBody('planning', { comments: [{ body: 'The plan: spin the widget.' }] });
    const responses = await Promise.all(Array.from({ length: CALLS }, () => h.runner('POST', '/runner/result', token, body)));
    expect(await statuses(responses)).toEqual({ ok: 1, consumed: CALLS - 1, other: [] });
    const comments = (await h.issue(issue.id)).comments.map((c) => c.body);
    expect(comments.filter((c) => c === 'The plan: spin the widget.')).toHaveLength(1);
  });

  it('two replicas sharing PostgreSQL: exactly one of 100 calls split between them succeeds', async () => {
    const { a, b, close } = await startPostgresReplicas();
    cleanups.push(close);
    await a.createIssue();
    const run = await a.dispatch();
    const token = run.env[RUN_ENV.resultToken]!;
    const responses = await Promise.all(
      Array.from({ length: CALLS }, (_, i) =>
        (i % 2 === 0 ? a : b).runner('POST', '/runner/result', token, resultBody('planning')),
      ),
    );
    expect(await statuses(responses)).toEqual({ ok: 1, consumed: CALLS - 1, other: [] });
    expect((await b.job(run.job.id)).status).toBe('completed');
  });
});
