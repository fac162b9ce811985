import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFlySecrets } from '../../../adapters/secrets/fly/fly.secrets.js';
import { flyAppSecretReference } from '../../../adapters/secrets/fly/fly-secret-reference.js';
import { secretsContract } from '../../../testing/contracts/secrets.contract.js';
import { FAKE_FLY_APP, type FakeFly, startFakeFly } from '../../../testing/fakes/fly/fake-fly.server.js';

const noWait = { sleep: async () => {}, random: () => 0.5 };

function secretsOn(fake: FakeFly, extra: Partial<Parameters<typeof createFlySecrets>[0]> = {}) {
  return createFlySecrets({ apiUrl: fake.url, token: fake.token, app: FAKE_FLY_APP, retry: noWait, ...extra });
}

secretsContract('fly (fake Machines API app secrets)', async () => {
  const fake = await startFakeFly();
  return { secrets: secretsOn(fake), revealsValues: false, close: fake.close };
});

describe('fly secrets against the fake Machines API', () => {
  let fake: FakeFly;
  beforeEach(async () => {
    fake = await startFakeFly();
  });
  afterEach(async () => {
    await fake.close();
  });

  it('sets a secret on the app through POST /v1/apps/{app}/secrets/{name}', async () => {
    expect((await secretsOn(fake).set('ENG_TOKEN', 's3cret')).isOk()).toBe(true);
    expect(fake.secretValue('ENG_TOKEN')).toBe('s3cret');
    expect(fake.requests[0]).toMatchObject({
      method: 'POST',
      path: `/v1/apps/${FAKE_FLY_APP}/secrets/ENG_TOKEN`,
      body: { value: 's3cret' },
      status: 201,
    });
  });

  it('reveals references the Fly runner leaves to the app, never values', async () => {
    const secrets = secretsOn(fake);
    await secrets.set('ENG_TOKEN', 's3cret');
    expect((await secrets.reveal(['ENG_TOKEN', 'MISSING']))._unsafeUnwrap()).toEqual({
      ENG_TOKEN: flyAppSecretReference('ENG_TOKEN'),
    });
  });

  it('treats a DELETE that finds the secret gone after a 5xx as done', async () => {
    const secrets = secretsOn(fake);
    await secrets.set('ENG_TOKEN', 'x');
    // Fly removed it but the answer was lost: the retry then sees 404.
    fake.failNext({ status: 502, method: 'DELETE', afterHandling: true });
    const result = await secrets.remove('ENG_TOKEN');
    expect(result.isOk()).toBe(true);
    expect(fake.secretNames()).toEqual([]);
    expect(fake.requests.filter((r) => r.method === 'DELETE').map((r) => r.status)).toEqual([502, 404]);
  });

  it('waits out a 429 on list and then answers', async () => {
    const waits: number[] = [];
    fake.failNext({ status: 429, retryAfter: '1', method: 'GET' });
    const result = await secretsOn(fake, { retry: { sleep: async (ms) => void waits.push(ms) } }).list();
    expect(result._unsafeUnwrap()).toEqual([]);
    expect(waits).toEqual([1000]);
  });

  it('does not retry a rejected token', async () => {
    const result = await secretsOn(fake, { token: 'nope' }).set('ENG_TOKEN', 'x');
    expect(result._unsafeUnwrapErr().kind).toBe('auth');
    expect(fake.requests).toHaveLength(1);
  });

  it('answers notFound for an app Fly does not know', async () => {
    const result = await secretsOn(fake, { app: 'no-such-app' }).list();
    expect(result._unsafeUnwrapErr()).toMatchObject({ kind: 'notFound' });
    expect(result._unsafeUnwrapErr().message).toContain('app not found');
  });

  it('answers notConfigured without a request when no app is set', async () => {
    expect((await secretsOn(fake, { app: '' }).list())._unsafeUnwrapErr().kind).toBe('notConfigured');
    expect(fake.requests).toHaveLength(0);
  });
});
