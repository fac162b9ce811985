import { afterEach, describe, expect, it } from 'vitest';
import { RUN_ENV } from '../../../core/app/dispatch/run-environment.js';
import { resultBody } from '../callbacks/callbacks-harness.js';
import { STORAGE_KINDS } from '../harness.js';
import { type IssuesHarness, startIssuesHarness } from '../v1-issues/issues-harness.js';

let h: IssuesHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe.each(STORAGE_KINDS)('a per-issue template override naming a stored template (%s storage)', (kind) => {
  it('the session receives that template’s body; an id no template has goes as text', async () => {
    h = await startIssuesHarness(kind, { autoApprovePlans: false });
    const body = 'Short fix for {{ issue.identifier }} in {{ mapping.repository }}';
    expect((await h.api('POST', '/api/v1/templates', { id: 'short-fix', name: 'Short fix', body })).status).toBe(201);
    const issue = await h.createIssue();
    await h.orchestrator.cradle.reconcile.request();
    const launch = h.launches.at(-1)!;
    expect((await h.api('POST', `/api/v1/${issue.identifier}/template`, { template: 'short-fix' })).status).toBe(200);
    await h.runner('/runner/result', launch.env[RUN_ENV.resultToken], resultBody('planning'));
    await h.api('POST', `/api/v1/${issue.identifier}/transition`, { to: 'implementing' });
    expect(h.launches.at(-1)!.env[RUN_ENV.promptTemplate]).toBe(body);

    // A built-in, by id.
    await h.api('POST', `/api/v1/${issue.identifier}/template`, { template: 'builtin-review' });
    expect(await h.orchestrator.cradle.issueRunOverrides(issue.id)).toMatchObject({
      template: expect.stringContaining('VERDICT: APPROVE'),
    });
    await h.api('POST', `/api/v1/${issue.identifier}/template`, { template: 'no-such-template' });
    expect(await h.orchestrator.cradle.issueRunOverrides(issue.id)).toMatchObject({ template: 'no-such-template' });
  });
});
