import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, STORAGE_KINDS, startHarness } from '../harness.js';
import { getJson, localMapping, SHADOW, seedIssue } from '../v1/v1-helpers.js';

type Entry = { actor: string; action: string; teamKey?: string; target?: string; detail?: Record<string, unknown> };

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe.each(STORAGE_KINDS)('operator actions in the audit trail (%s storage)', (kind) => {
  it('runner mode, settings, dedup removal, mapping and issue control changes are recorded', async () => {
    h = await startHarness(kind, SHADOW);
    const token = await h.login();
    await localMapping(h, token);
    const issue = await seedIssue(h, { title: 'audited', labels: ['AI-Implement'] });
    await h.orchestrator.cradle.reconcile.request();
    expect((await h.call('POST', '/api/runner-mode', { token, body: { mode: 'local' } })).status).toBe(409);
    expect((await h.call('POST', '/api/settings', { token, body: { flySessionsRegion: 'ord' } })).status).toBe(200);
    expect((await h.call('POST', `/api/v1/${issue.identifier}/model`, { token, body: { model: 'claude-x' } })).status).toBe(200);
    expect((await h.call('DELETE', `/api/dedup/${issue.identifier}`, { token })).status).toBe(200);
    expect((await h.call('DELETE', `/api/dedup/${issue.identifier}`, { token })).status).toBe(404);
    await h.orchestrator.cradle.audit.idle();

    const { entries } = await getJson<{ entries: Entry[] }>(h, token, '/api/v1/audit?actor=operator');
    expect(entries.map((e) => e.action)).toEqual([
      'dedup.removed',
      'issue.model_set',
      'settings.updated',
      'runner_mode.set',
      'mapping.created',
    ]);
    expect(entries[0]).toMatchObject({ teamKey: 'LOC', target: issue.identifier });
    expect(entries[1]).toMatchObject({ teamKey: 'LOC', target: issue.identifier });
    expect(entries[2]).toMatchObject({ detail: { flySessionsRegion: 'ord' } });
    expect(entries[3]).toMatchObject({ detail: { mode: 'local', envLocked: true } });
    expect(entries[4]).toMatchObject({ teamKey: 'LOC', target: 'LOC' });
  });
});
