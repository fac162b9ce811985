import { errAsync, okAsync } from 'neverthrow';
import { describe, expect, it } from 'vitest';
import { createGovernorRegistry, type GovernorSignal } from '../../../adapters/shared/request-governor.js';
import type { ServiceError } from '../../../ports/errors.js';

const ref = { service: 'github', baseUrl: 'https://api.github.com', credential: 'ghp_secret_token_value' };

describe('request governor signals (for notifications)', () => {
  it('says once when the circuit opens, and each time the credential is refused — never the credential', async () => {
    let now = 1_000;
    const signals: GovernorSignal[] = [];
    const registry = createGovernorRegistry({
      now: () => now,
      random: () => 0,
      policy: { failureThreshold: 3 },
      onSignal: (s) => signals.push(s),
    });
    const governor = registry.forConnection(ref);
    const fail = () => errAsync<never, ServiceError>({ kind: 'unavailable', message: 'HTTP 502' });
    for (let i = 0; i < 3; i++) {
      await governor.run(fail);
      now += 60_000;
    }
    expect(signals.map((s) => s.kind)).toEqual(['circuitOpened']);
    // Refused by the open circuit itself: no new signal.
    await governor.run(fail);
    expect(signals).toHaveLength(1);

    const other = registry.forConnection({ ...ref, credential: 'another' });
    await other.run(() => errAsync<never, ServiceError>({ kind: 'auth', message: 'Bad credentials' }));
    await other.run(() => okAsync('fine'));
    expect(signals.map((s) => s.kind)).toEqual(['circuitOpened', 'credentialRefused']);
    expect(signals[1]).toMatchObject({ service: 'github', baseUrl: 'https://api.github.com', message: 'Bad credentials' });
    expect(JSON.stringify(signals)).not.toContain('ghp_secret_token_value');
  });

  it('goes on when the listener throws', async () => {
    const registry = createGovernorRegistry({
      onSignal: () => {
        throw new Error('listener broke');
      },
    });
    const result = await registry
      .forConnection(ref)
      .run(() => errAsync<never, ServiceError>({ kind: 'auth', message: 'Bad credentials' }));
    expect(result.isErr() && result.error.kind).toBe('auth');
  });
});
