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

describe.each(STORAGE_KINDS)('a mapping’s promptTemplate (%s storage)', (kind) => {
  it('must name a template; the session receives its body unless the issue overrides it', async () => {
    h = await startIssuesHarness(kind, { autoApprovePlans: false });
    const mappingBody = 'Mapping prompt for {{ issue.identifier }}';
    const issueBody = 'Issue prompt for {{ issue.identifier }}';
    expect((await h.api('POST', '/api/v1/templates', { id: 'team-fix', name: 'Team', body: mappingBody })).status).toBe(201);
    expect((await h.api('POST', '/api/v1/templates', { id: 'issue-fix', name: 'Issue', body: issueBody })).status).toBe(201);
    const base = { teamKey: 'ENG', owner: 'acme', repo: 'widgets', defaultBranch: 'main', ticketing: 'local' };

    expect(await h.api('POST', '/api/mappings', { ...base, promptTemplate: 'no-such' })).toEqual({
      status: 400,
      body: { error: 'Template not found' },
    });
    expect(await h.api('PATCH', '/api/mappings/ENG', { promptTemplate: 'no-such' })).toEqual({
      status: 400,
      body: { error: 'Template not found' },
    });
    expect((await h.api('PATCH', '/api/mappings/ENG', { promptTemplate: 42 })).status).toBe(400);
    const patched = await h.api('PATCH', '/api/mappings/ENG', { promptTemplate: 'builtin-review' });
    expect(patched).toMatchObject({ status: 200, body: { mapping: { promptTemplate: 'builtin-review' } } });
    const saved = await h.api('POST', '/api/mappings', { ...base, promptTemplate: 'team-fix' });
    expect(saved).toMatchObject({ status: 200, body: { mapping: { promptTemplate: 'team-fix' } } });
    // An update that does not name it keeps it.
    expect(await h.api('POST', '/api/mappings', { ...base, branchPrefix: 'bot/' })).toMatchObject({
      body: { mapping: { promptTemplate: 'team-fix' } },
    });

    const issue = await h.createIssue();
    await h.orchestrator.cradle.reconcile.request();
    const planning = h.launches.at(-1)!;
    expect(planning.env[RUN_ENV.promptTemplate]).toBe(mappingBody);

    // The issue's override wins over the mapping's.
    expect((await h.api('POST', `/api/v1/${issue.identifier}/template`, { template: 'issue-fix' })).status).toBe(200);
    await h.runner('/runner/result', planning.env[RUN_ENV.resultToken], resultBody('planning'));
    await h.api('POST', `/api/v1/${issue.identifier}/transition`, { to: 'implementing' });
    expect(h.launches.at(-1)!.env[RUN_ENV.promptTemplate]).toBe(issueBody);

    // null clears the mapping's template.
    const cleared = await h.api('PATCH', '/api/mappings/ENG', { promptTemplate: null });
    expect(cleared.status).toBe(200);
    expect(cleared.body.mapping).not.toHaveProperty('promptTemplate');
    expect(await h.orchestrator.cradle.issueRunOverrides('none', undefined)).toEqual({});
  });
});
