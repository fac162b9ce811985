import { afterEach, describe, expect, it } from 'vitest';
import { flyAppSecretReference } from '../../../adapters/secrets/fly/fly-secret-reference.js';
import { collection } from '../../../ports/storage.port.js';
import { type RunnersHarness, startRunnersHarness } from './runners-harness.js';

let h: RunnersHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const NAME_FORMAT = 'name must contain only letters, digits, and underscores';
const REQUIRED = 'name and value are required';

async function withMappings(): Promise<RunnersHarness> {
  const harness = await startRunnersHarness();
  await harness.createMapping();
  await harness.createMapping({}, 'OPS');
  return harness;
}

describe('per-team secrets on Fly app secrets', () => {
  it('stores a team secret under the team prefix, lists it by its short name, and never returns the value', async () => {
    h = await withMappings();
    expect(await h.api('POST', '/api/mappings/ENG/secrets', { name: 'MY_TOKEN', value: 's3cret-value' })).toEqual({
      status: 200,
      body: { saved: true, name: 'MY_TOKEN' },
    });
    expect(h.fly.secretValue('ENG_MY_TOKEN')).toBe('s3cret-value');
    await h.api('POST', '/api/mappings/OPS/secrets', { name: 'OTHER', value: 'x' });
    const listed = await h.api('GET', '/api/mappings/ENG/secrets');
    expect(listed).toEqual({ status: 200, body: { secrets: ['MY_TOKEN'] } });
    expect(JSON.stringify(listed)).not.toContain('s3cret-value');
    expect(await h.api('DELETE', '/api/mappings/ENG/secrets/MY_TOKEN')).toEqual({
      status: 200,
      body: { deleted: true, name: 'MY_TOKEN' },
    });
    expect(h.fly.secretNames()).toEqual(['OPS_OTHER']);
  });

  it.each([
    ['not JSON', '{name', 'Invalid request body'],
    ['an array', '[1]', 'Invalid request body'],
    ['no name', '{"value":"v"}', REQUIRED],
    ['an empty value', '{"name":"A","value":""}', REQUIRED],
    ['a value that is not a string', '{"name":"A","value":5}', REQUIRED],
    ['a name with a dash', '{"name":"MY-TOKEN","value":"v"}', NAME_FORMAT],
  ])('answers 400 for %s', async (_what, raw, error) => {
    h = await withMappings();
    expect(await h.api('POST', '/api/mappings/ENG/secrets', undefined, raw)).toEqual({ status: 400, body: { error } });
    expect(h.fly.secretNames()).toEqual([]);
  });

  it('answers 404 Team not found for an unknown team on every verb', async () => {
    h = await withMappings();
    const notFound = { status: 404, body: { error: 'Team not found' } };
    expect(await h.api('GET', '/api/mappings/NOPE/secrets')).toEqual(notFound);
    expect(await h.api('POST', '/api/mappings/NOPE/secrets', { name: 'A', value: 'v' })).toEqual(notFound);
    expect(await h.api('DELETE', '/api/mappings/NOPE/secrets/A')).toEqual(notFound);
  });

  it('answers 404 Secret not found when deleting an unknown secret, and 400 for a bad name', async () => {
    h = await withMappings();
    expect(await h.api('DELETE', '/api/mappings/ENG/secrets/MISSING')).toEqual({
      status: 404,
      body: { error: 'Secret not found' },
    });
    expect(await h.api('DELETE', '/api/mappings/ENG/secrets/bad%20name')).toEqual({ status: 400, body: { error: NAME_FORMAT } });
  });

  it('answers 503 on every verb when Fly sessions are not configured', async () => {
    h = await startRunnersHarness({ fly: false });
    await h.createMapping();
    const unavailable = { status: 503, body: { error: 'Fly sessions config not set' } };
    expect(await h.api('GET', '/api/mappings/ENG/secrets')).toEqual(unavailable);
    expect(await h.api('POST', '/api/mappings/ENG/secrets', { name: 'A', value: 'v' })).toEqual(unavailable);
    expect(await h.api('DELETE', '/api/mappings/ENG/secrets/A')).toEqual(unavailable);
    expect(await h.api('GET', '/api/global-secrets')).toEqual(unavailable);
    expect(await h.api('POST', '/api/global-secrets', { name: 'A', value: 'v' })).toEqual(unavailable);
    expect(await h.api('DELETE', '/api/global-secrets/A')).toEqual(unavailable);
  });

  it('answers 500 with the underlying message when Fly fails', async () => {
    h = await withMappings();
    h.fly.failNext({ status: 400, error: 'secrets are locked', method: 'POST' });
    const res = await h.api('POST', '/api/mappings/ENG/secrets', { name: 'A', value: 'v' });
    expect(res.status).toBe(500);
    expect(res.body.error).toContain('secrets are locked');
  });
});

describe('global secrets on Fly app secrets', () => {
  it('sets, lists (without team secrets) and deletes a global secret', async () => {
    h = await withMappings();
    await h.api('POST', '/api/mappings/ENG/secrets', { name: 'TEAM_ONE', value: 'x' });
    expect(await h.api('POST', '/api/global-secrets', { name: 'SHARED_KEY', value: 'g-value' })).toEqual({
      status: 200,
      body: { saved: true, name: 'SHARED_KEY' },
    });
    const listed = await h.api('GET', '/api/global-secrets');
    expect(listed).toEqual({ status: 200, body: { secrets: ['SHARED_KEY'] } });
    expect(JSON.stringify(listed)).not.toContain('g-value');
    expect(await h.api('DELETE', '/api/global-secrets/SHARED_KEY')).toEqual({
      status: 200,
      body: { deleted: true, name: 'SHARED_KEY' },
    });
    expect(h.fly.secretNames()).toEqual(['ENG_TEAM_ONE']);
  });

  it('refuses a global name that starts with a team prefix, and will not delete a team secret', async () => {
    h = await withMappings();
    expect(await h.api('POST', '/api/global-secrets', { name: 'ENG_TOKEN', value: 'v' })).toEqual({
      status: 400,
      body: { error: 'Secret name must not start with a team key prefix (ENG_)' },
    });
    await h.api('POST', '/api/mappings/ENG/secrets', { name: 'TOKEN', value: 'v' });
    expect(await h.api('DELETE', '/api/global-secrets/ENG_TOKEN')).toEqual({ status: 404, body: { error: 'Secret not found' } });
    expect(h.fly.secretNames()).toEqual(['ENG_TOKEN']);
  });

  it.each([
    ['not JSON', 'x', 'Invalid request body'],
    ['no value', '{"name":"A"}', REQUIRED],
    ['a bad name', '{"name":"a.b","value":"v"}', NAME_FORMAT],
  ])('answers 400 for %s', async (_what, raw, error) => {
    h = await withMappings();
    expect(await h.api('POST', '/api/global-secrets', undefined, raw)).toEqual({ status: 400, body: { error } });
  });

  it('answers 404 Secret not found when deleting an unknown global secret', async () => {
    h = await withMappings();
    expect(await h.api('DELETE', '/api/global-secrets/NOPE')).toEqual({ status: 404, body: { error: 'Secret not found' } });
  });
});

describe('/api/v1/secrets (local, encrypted at rest)', () => {
  it('stores, lists names only, deletes; the stored record holds no plaintext', async () => {
    h = await startRunnersHarness({ fly: false });
    expect(await h.api('POST', '/api/v1/secrets/API_KEY', { value: 'plain-text-value-123' })).toEqual({
      status: 200,
      body: { saved: true, key: 'API_KEY' },
    });
    expect(await h.api('GET', '/api/v1/secrets')).toEqual({ status: 200, body: { keys: ['API_KEY'] } });
    const stored = await h.orchestrator.cradle.storage.documents.get(
      collection<Record<string, string>>('local-secrets'),
      'store',
    );
    expect(Object.keys(stored ?? {})).toContain('API_KEY');
    expect(JSON.stringify(stored)).not.toContain('plain-text-value-123');
    expect(await h.api('DELETE', '/api/v1/secrets/API_KEY')).toEqual({ status: 200, body: { deleted: true, key: 'API_KEY' } });
    expect(await h.api('GET', '/api/v1/secrets')).toEqual({ status: 200, body: { keys: [] } });
  });

  it.each([
    ['/api/v1/secrets/OK', 'nope', 'Invalid request body'],
    ['/api/v1/secrets/OK', '{}', 'value is required'],
    ['/api/v1/secrets/OK', '{"value":""}', 'value is required'],
    ['/api/v1/secrets/bad-key', '{"value":"v"}', NAME_FORMAT],
  ])('POST %s with %s answers 400', async (path, raw, error) => {
    h = await startRunnersHarness({ fly: false });
    expect(await h.api('POST', path, undefined, raw)).toEqual({ status: 400, body: { error } });
  });

  it('answers 404 Secret not found when deleting an unknown key', async () => {
    h = await startRunnersHarness({ fly: false });
    expect(await h.api('DELETE', '/api/v1/secrets/NOPE')).toEqual({ status: 404, body: { error: 'Secret not found' } });
  });
});

describe('sessionSecrets(mapping, runner)', () => {
  it('gives a session its team’s prefixed secrets: local values, and on Fly the app’s own references', async () => {
    h = await withMappings();
    await h.api('POST', '/api/v1/secrets/ENG_LOCAL_TOKEN', { value: 'local-value' });
    await h.api('POST', '/api/v1/secrets/OPS_LOCAL_TOKEN', { value: 'not-for-eng' });
    await h.api('POST', '/api/v1/secrets/UNPREFIXED', { value: 'global-local' });
    await h.api('POST', '/api/mappings/ENG/secrets', { name: 'FLY_TOKEN', value: 'fly-value' });
    const sessionSecrets = h.orchestrator.cradle.sessionSecrets;
    expect(await sessionSecrets({ teamKey: 'ENG' }, 'local')).toEqual({ ENG_LOCAL_TOKEN: 'local-value' });
    expect(await sessionSecrets({ teamKey: 'ENG' }, 'fly-machines')).toEqual({
      ENG_LOCAL_TOKEN: 'local-value',
      ENG_FLY_TOKEN: flyAppSecretReference('ENG_FLY_TOKEN'),
    });
  });

  it('gives nothing, and does not fail, when a store cannot be read', async () => {
    h = await withMappings();
    await h.api('POST', '/api/mappings/ENG/secrets', { name: 'T', value: 'v' });
    h.fly.failNext({ status: 401, method: 'GET' });
    expect(await h.orchestrator.cradle.sessionSecrets({ teamKey: 'ENG' }, 'fly-machines')).toEqual({});
  });
});
