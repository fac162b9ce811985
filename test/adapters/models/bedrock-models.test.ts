import { afterEach, describe, expect, it } from 'vitest';
import { BUILT_IN_MODELS, createModelCatalog } from '../../../adapters/models/model-catalog.js';
import { type FakeBedrock, startFakeBedrock } from '../../fakes/bedrock/fake-bedrock.js';

/** The real AWS SDK (@aws-sdk/client-bedrock) against the wire-level fake Bedrock, through an endpoint override. */
const KEY_ID = 'AKIAFAKEEXAMPLE00001';
const SECRET = 'fake/secret+access/key0000000000000000000';
const credentials = { accessKeyId: KEY_ID, secretAccessKey: SECRET };

const REGIONS = {
  'us-east-1': [
    { modelId: 'anthropic.claude-fake-large-v1:0', modelName: 'Claude Fake Large', providerName: 'Anthropic' },
    { modelId: 'anthropic.claude-fake-small-v1:0', modelName: 'Claude Fake Small', providerName: 'Anthropic' },
    {
      modelId: 'anthropic.claude-fake-old-v1:0',
      modelName: 'Claude Fake Old',
      providerName: 'Anthropic',
      status: 'LEGACY' as const,
    },
    { modelId: 'amazon.titan-fake-v1', modelName: 'Titan Fake', providerName: 'Amazon' },
    { modelId: 'anthropic.embed-fake', modelName: 'Embed Fake', providerName: 'Anthropic', outputModalities: ['EMBEDDING'] },
  ],
  'eu-west-1': [{ modelId: 'anthropic.claude-fake-small-v1:0', modelName: 'Claude Fake Small', providerName: 'Anthropic' }],
};

let fake: FakeBedrock | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function catalog(timeoutMs?: number) {
  fake = await startFakeBedrock({ credentials: { [KEY_ID]: SECRET }, regions: REGIONS });
  return { fake, models: createModelCatalog({ bedrockEndpoint: fake.url, ...(timeoutMs ? { timeoutMs } : {}) }) };
}

describe('Bedrock foundation models through the AWS SDK', () => {
  it('lists the region’s active Anthropic text models, signed with the sessions’ credentials for that region', async () => {
    const { fake, models } = await catalog();
    expect(await models.list('bedrock', { region: 'us-east-1', awsCredentials: credentials })).toEqual({
      provider: 'bedrock',
      source: 'api',
      region: 'us-east-1',
      models: [
        { id: 'anthropic.claude-fake-large-v1:0', name: 'Claude Fake Large' },
        { id: 'anthropic.claude-fake-small-v1:0', name: 'Claude Fake Small' },
      ],
    });
    const eu = await models.list('bedrock', { region: 'eu-west-1', awsCredentials: { ...credentials, sessionToken: 'tok-1' } });
    expect(eu.models.map((m) => m.id)).toEqual(['anthropic.claude-fake-small-v1:0']);
    expect(fake.requests).toEqual([
      expect.objectContaining({
        path: '/foundation-models',
        query: { byProvider: 'Anthropic', byOutputModality: 'TEXT' },
        accessKeyId: KEY_ID,
        region: 'us-east-1',
        status: 200,
      }),
      expect.objectContaining({ region: 'eu-west-1', sessionToken: 'tok-1', status: 200 }),
    ]);
  });

  it('without credentials: the built-in list, and nothing is sent', async () => {
    const { fake, models } = await catalog();
    expect(await models.list('bedrock', { region: 'us-east-1' })).toEqual({
      provider: 'bedrock',
      source: 'builtin',
      region: 'us-east-1',
      models: BUILT_IN_MODELS.bedrock,
      note: 'No AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY secrets configured: the built-in list',
    });
    expect(fake.requests).toEqual([]);
  });

  it.each([
    [
      'an unknown access key',
      { ...credentials, accessKeyId: 'AKIAUNKNOWN000000000' },
      /^403 UnrecognizedClientException: The security token included in the request is invalid\.$/,
    ],
    [
      'a wrong secret',
      { ...credentials, secretAccessKey: 'wrong' },
      /^403 InvalidSignatureException: The request signature we calculated does not match/,
    ],
  ])('%s: AWS’s refusal in the note, the built-in list, the secret never in it', async (_, awsCredentials, note) => {
    const { models } = await catalog();
    const answer = await models.list('bedrock', { region: 'us-east-1', awsCredentials });
    expect(answer).toMatchObject({ source: 'builtin', region: 'us-east-1', models: BUILT_IN_MODELS.bedrock });
    const inner = /^Bedrock’s model list failed \((.*)\): the built-in list$/.exec(answer.note ?? '')?.[1];
    expect(inner).toMatch(note);
    expect(JSON.stringify(answer)).not.toContain(awsCredentials.secretAccessKey);
  });

  it.each([
    [429, 'ThrottlingException', 'Too many requests, please wait before trying again.'],
    [
      403,
      'AccessDeniedException',
      'User: arn:aws:iam::123456789012:user/ci is not authorized to perform: bedrock:ListFoundationModels',
    ],
    [500, 'InternalServerException', 'Internal server error'],
  ])('%i %s: one request (no retries), the built-in list with AWS’s code and message', async (status, type, message) => {
    const { fake, models } = await catalog();
    fake.failNext({ status, type, message, times: 10 });
    const answer = await models.list('bedrock', { region: 'us-east-1', awsCredentials: credentials });
    expect(answer).toMatchObject({
      source: 'builtin',
      note: `Bedrock’s model list failed (${status} ${type}: ${message}): the built-in list`,
    });
    expect(fake.requests).toHaveLength(1);
  });

  it('a Bedrock that never answers ends at the deadline with the built-in list', async () => {
    const { fake, models } = await catalog(300);
    fake.failNext({ status: 200, type: '', message: '', hang: true });
    const started = performance.now();
    const answer = await models.list('bedrock', { region: 'us-east-1', awsCredentials: credentials });
    expect(answer).toMatchObject({ source: 'builtin' });
    expect(answer.note).toMatch(/^Bedrock’s model list failed \(.*(abort|timeout|timed out).*\): the built-in list$/i);
    expect(performance.now() - started).toBeLessThan(3_000);
  });
});
