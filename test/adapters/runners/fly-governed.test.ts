import { afterEach, describe, expect, it } from 'vitest';
import { createFlyRunner } from '../../../adapters/runners/fly-machines/fly.runner.js';
import { createFlySecrets } from '../../../adapters/secrets/fly/fly.secrets.js';
import { createGovernorRegistry } from '../../../adapters/shared/request-governor.js';
import { createFlySessions } from '../../../hosts/composition/fly-sessions.js';
import { FAKE_FLY_APP, type FakeFly, startFakeFly } from '../../../testing/fakes/fly/fake-fly.server.js';

/** The Fly runner and secrets store against the wire-level fake Machines API, behind one governor, on a manual clock. */
let fake: FakeFly | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function governed() {
  const clock = { t: Date.UTC(2030, 0, 1, 12, 0, 0) };
  const now = () => clock.t;
  fake = await startFakeFly({ now });
  const governors = createGovernorRegistry({ now, random: () => 0.5 });
  const governor = governors.forConnection({ service: 'fly', baseUrl: fake.url, credential: fake.token });
  // No retries inside one call: what is asserted is what the governor lets through between calls.
  const retry = { maxAttempts: 1 };
  const common = { apiUrl: fake.url, token: fake.token, app: FAKE_FLY_APP, retry, governor };
  const runner = createFlyRunner({ ...common, region: 'ord', image: 'registry.fly.io/s:1' });
  const secrets = createFlySecrets(common);
  return { fake, clock, governors, runner, secrets };
}

describe('Fly Machines behind its request governor', () => {
  it('429 with Retry-After: nothing goes to Fly inside the window — runner and secrets store alike — then it asks again', async () => {
    const { fake, clock, governors, runner, secrets } = await governed();
    fake.failNext({ status: 429, retryAfter: '30', times: 100 });
    expect((await runner.listSessions())._unsafeUnwrapErr()).toMatchObject({ kind: 'rateLimited', retryAfterMs: 30_000 });
    expect(fake.requests).toHaveLength(1);
    for (let s = 0; s < 29; s++) {
      clock.t += 1_000;
      expect((await runner.listSessions())._unsafeUnwrapErr()).toMatchObject({
        kind: 'rateLimited',
        message: 'Fly rate limited until 12:00:30 UTC',
      });
      expect((await secrets.list())._unsafeUnwrapErr()).toMatchObject({ kind: 'rateLimited' });
    }
    expect(fake.requests).toHaveLength(1);
    expect(governors.list(clock.t)).toEqual([
      expect.objectContaining({ service: 'fly', state: 'limited', until: Date.UTC(2030, 0, 1, 12, 0, 30) }),
    ]);
    clock.t += 1_000;
    await runner.listSessions();
    expect(fake.requests).toHaveLength(2);
  });

  it('a 5xx burst opens the circuit: no request until the cool-down, then one probe; a good answer closes it', async () => {
    const { fake, clock, governors, runner } = await governed();
    fake.failNext({ status: 503, times: 5 });
    for (let i = 0; i < 5; i++) {
      expect((await runner.listSessions())._unsafeUnwrapErr()).toMatchObject({ kind: 'unavailable' });
      clock.t += 60_000; // past any backoff: each of the five reaches Fly
    }
    expect(fake.requests).toHaveLength(5);
    clock.t -= 60_000;
    expect(governors.list(clock.t)[0]).toMatchObject({ service: 'fly', state: 'open' });
    clock.t += 10_000;
    expect((await runner.listSessions())._unsafeUnwrapErr().message).toMatch(/^Fly circuit open since 12:04:00 UTC/);
    expect(fake.requests).toHaveLength(5);
    clock.t += 20_000;
    expect((await runner.listSessions()).isOk()).toBe(true);
    expect(fake.requests).toHaveLength(6);
    expect(governors.list(clock.t)[0]).toMatchObject({ state: 'ok', consecutiveFailures: 0 });
  });

  it('the composition gives the runner and the secrets store one governor per API URL and token', async () => {
    const clock = { t: Date.UTC(2030, 0, 1, 12, 0, 0) };
    fake = await startFakeFly({ now: () => clock.t });
    const governors = createGovernorRegistry({ now: () => clock.t });
    const sessions = createFlySessions({
      config: { flyApiToken: fake.token, flyApiUrl: fake.url },
      settings: { value: async (key: string) => (key === 'flySessionsApp' ? FAKE_FLY_APP : undefined) } as never,
      version: '1.0.0',
      governors,
      retry: { maxAttempts: 1 },
    });
    fake.failNext({ status: 429, retryAfter: '60', times: 100 });
    const runner = (await sessions.runner())!;
    const secrets = (await sessions.secrets())!;
    expect((await runner.listSessions()).isErr()).toBe(true);
    clock.t += 5_000;
    expect((await secrets.list())._unsafeUnwrapErr().message).toBe('Fly rate limited until 12:01:00 UTC');
    expect(fake.requests).toHaveLength(1);
    expect(governors.list(clock.t).map((c) => c.service)).toEqual(['fly']);
  });
});
