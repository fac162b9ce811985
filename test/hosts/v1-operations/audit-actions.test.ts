import { afterEach, describe, expect, it } from 'vitest';
import { createLocalForge, localForgeRoot } from '../../../adapters/forge/local/local-forge.adapter.js';
import { ACCESS_CODE, type Harness, STORAGE_KINDS, startHarness } from '../harness.js';
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
      'auth.signed_in',
    ]);
    expect(entries[0]).toMatchObject({ teamKey: 'LOC', target: issue.identifier });
    expect(entries[1]).toMatchObject({ teamKey: 'LOC', target: issue.identifier });
    expect(entries[2]).toMatchObject({ detail: { flySessionsRegion: 'ord' } });
    expect(entries[3]).toMatchObject({ detail: { mode: 'local', envLocked: true } });
    expect(entries[4]).toMatchObject({ teamKey: 'LOC', target: 'LOC' });
  });

  it('sign-ins and failed attempts, secrets set and deleted, and workflow syncs are recorded without codes, tokens or values', async () => {
    h = await startHarness(kind, SHADOW);
    const token = await h.login();
    expect((await h.call('POST', '/api/auth', { body: { code: 'wrong code guess' } })).status).toBe(403);
    const secretValue = 'sk-very-secret-value-123';
    expect((await h.call('POST', '/api/v1/secrets/MY_API_KEY', { token, body: { value: secretValue } })).status).toBe(200);
    expect((await h.call('DELETE', '/api/v1/secrets/MY_API_KEY', { token })).status).toBe(200);
    const forge = createLocalForge({ root: localForgeRoot(h.dataDir) });
    (await forge.createRepository({ owner: 'acme', repo: 'app' }, 'main', { 'README.md': '# app\n' }))._unsafeUnwrap();
    await forge.close();
    await localMapping(h, token, { forge: 'local' });
    const synced = await h.call('POST', '/api/mappings/LOC/sync-workflows', { token });
    expect(await synced.json()).toMatchObject({ synced: true });
    await h.orchestrator.cradle.audit.idle();

    const res = await h.call('GET', '/api/v1/audit?actor=operator', { token });
    const text = await res.text();
    for (const hidden of [ACCESS_CODE, 'wrong code guess', token, secretValue]) expect(text).not.toContain(hidden);
    const { entries } = JSON.parse(text) as { entries: Entry[] };
    expect(entries.map((e) => e.action)).toEqual([
      'workflows.synced',
      'mapping.created',
      'secret.deleted',
      'secret.set',
      'auth.sign_in_failed',
      'auth.signed_in',
    ]);
    expect(entries[0]).toMatchObject({ teamKey: 'LOC', target: 'acme/app', detail: { files: expect.any(Array) } });
    expect(entries[2]).toMatchObject({ target: 'MY_API_KEY', detail: { scope: 'local' } });
    expect(entries[3]).toMatchObject({ target: 'MY_API_KEY', detail: { scope: 'local' } });
    expect(entries[4]).toMatchObject({ detail: { client: expect.any(String) } });
    expect(entries[5]).toMatchObject({ detail: { client: expect.any(String) } });
    const signIns = await getJson<{ total: number }>(h, token, '/api/v1/audit?action=auth');
    expect(signIns.total).toBe(2);
  });
});
