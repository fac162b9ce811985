import { asValue } from 'awilix';
import { afterEach, describe, expect, it } from 'vitest';
import { createModelCatalog } from '../../../adapters/models/model-catalog.js';
import { type FakeBedrock, startFakeBedrock } from '../../fakes/bedrock/fake-bedrock.js';
import { type Harness, STORAGE_KINDS, startHarness } from '../harness.js';
import { getJson, localMapping } from '../v1/v1-helpers.js';

type Models = { providers: { provider: string; source: string; region?: string; models: { id: string }[]; note?: string }[] };

const KEY_ID = 'AKIAFAKEEXAMPLE00002';
const SECRET = 'fake-bedrock-secret-value-0000000000000';
const REGIONS = {
  'us-east-1': [{ modelId: 'anthropic.claude-fake-large-v1:0', modelName: 'Claude Fake Large', providerName: 'Anthropic' }],
  'eu-west-1': [{ modelId: 'anthropic.claude-fake-small-v1:0', modelName: 'Claude Fake Small', providerName: 'Anthropic' }],
};

let h: Harness | undefined;
let fake: FakeBedrock | undefined;
afterEach(async () => {
  await h?.close();
  await fake?.close();
  h = undefined;
  fake = undefined;
});

describe.each(STORAGE_KINDS)('GET /api/v1/models with Bedrock mappings on %s storage', (kind) => {
  it('lists each region’s foundation models with the sessions’ AWS secrets, cached ten minutes, asked again for new credentials', async () => {
    fake = await startFakeBedrock({
      credentials: { [KEY_ID]: SECRET, AKIAROTATED000000002: 'rotated-secret' },
      regions: REGIONS,
    });
    h = await startHarness(kind, undefined, { modelCatalog: asValue(createModelCatalog({ bedrockEndpoint: fake.url })) });
    const token = await h.login();
    await localMapping(h, token, { teamKey: 'EU', provider: 'bedrock', awsRegion: 'eu-west-1' });
    await localMapping(h, token, { teamKey: 'US', provider: 'bedrock', awsRegion: 'us-east-1' });

    const without = await getJson<Models>(h, token, '/api/v1/models');
    expect(without.providers.slice(1)).toEqual([
      expect.objectContaining({
        provider: 'bedrock',
        region: 'eu-west-1',
        source: 'builtin',
        note: expect.stringMatching(/^No AWS_ACCESS_KEY_ID/),
      }),
      expect.objectContaining({ provider: 'bedrock', region: 'us-east-1', source: 'builtin' }),
    ]);
    expect(fake.requests).toEqual([]);

    for (const [name, value] of [
      ['AWS_ACCESS_KEY_ID', KEY_ID],
      ['AWS_SECRET_ACCESS_KEY', SECRET],
    ]) {
      expect((await h.call('POST', `/api/v1/secrets/${name}`, { token, body: { value } })).status).toBe(200);
    }
    const res = await h.call('GET', '/api/v1/models', { token });
    const text = await res.text();
    expect(text).not.toContain(SECRET);
    const models = JSON.parse(text) as Models;
    expect(models.providers.slice(1)).toEqual([
      expect.objectContaining({
        provider: 'bedrock',
        region: 'eu-west-1',
        source: 'api',
        models: [expect.objectContaining({ id: 'anthropic.claude-fake-small-v1:0' })],
      }),
      expect.objectContaining({
        provider: 'bedrock',
        region: 'us-east-1',
        source: 'api',
        models: [expect.objectContaining({ id: 'anthropic.claude-fake-large-v1:0' })],
      }),
    ]);
    expect(fake.requests.map((r) => [r.region, r.accessKeyId, r.status])).toEqual([
      ['eu-west-1', KEY_ID, 200],
      ['us-east-1', KEY_ID, 200],
    ]);

    await getJson(h, token, '/api/v1/models');
    expect(fake.requests).toHaveLength(2);
    h.clock.advance(10 * 60_000 + 1);
    await getJson(h, token, '/api/v1/models');
    expect(fake.requests).toHaveLength(4);

    // Rotated credentials are asked with at once, whatever the cache holds.
    await h.call('POST', '/api/v1/secrets/AWS_ACCESS_KEY_ID', { token, body: { value: 'AKIAROTATED000000002' } });
    await h.call('POST', '/api/v1/secrets/AWS_SECRET_ACCESS_KEY', { token, body: { value: 'rotated-secret' } });
    fake.failNext({ status: 429, type: 'ThrottlingException', message: 'Too many requests, please wait before trying again.' });
    const rotated = await getJson<Models>(h, token, '/api/v1/models');
    expect(fake.requests.slice(4).map((r) => r.accessKeyId)).toEqual(['AKIAROTATED000000002', 'AKIAROTATED000000002']);
    expect(rotated.providers[1]).toMatchObject({
      region: 'eu-west-1',
      source: 'builtin',
      note: 'Bedrock’s model list failed (429 ThrottlingException: Too many requests, please wait before trying again.): the built-in list',
    });
    expect(rotated.providers[2]).toMatchObject({ region: 'us-east-1', source: 'api' });
  });
});
