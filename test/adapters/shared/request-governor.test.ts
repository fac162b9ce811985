import { errAsync, okAsync, type ResultAsync } from 'neverthrow';
import { describe, expect, it } from 'vitest';
import { createGovernorRegistry } from '../../../adapters/shared/request-governor.js';
import type { ServiceError } from '../../../ports/errors.js';

/** The governor's I/O side, with a manual clock: what it does with requests that misbehave. */
describe('a request that throws or rejects instead of answering an error', () => {
  it('counts as a failure, and a half-open probe that throws does not leave the circuit stuck', async () => {
    const clock = { t: Date.UTC(2026, 0, 1, 9, 0, 0) };
    const governor = createGovernorRegistry({ now: () => clock.t, random: () => 0.5 }).forConnection({
      service: 'github',
      baseUrl: 'https://api.github.test',
      credential: 'x',
    });
    const down = (): ResultAsync<string, ServiceError> => errAsync({ kind: 'unavailable', message: '502' });
    for (let i = 0; i < 5; i++) {
      await governor.run(down);
      clock.t += 60_000;
    }
    // Open: the probe after the cool-down throws, then rejects.
    let sent = 0;
    const throws = (): ResultAsync<string, ServiceError> => {
      sent++;
      throw new Error('socket hang up');
    };
    const rejects = (): ResultAsync<string, ServiceError> => {
      sent++;
      return okAsync('x').andThen(() => Promise.reject(new Error('boom')) as never);
    };
    clock.t += 31_000;
    expect((await governor.run(throws))._unsafeUnwrapErr()).toMatchObject({ kind: 'unavailable', message: /socket hang up/ });
    clock.t += 31_000;
    expect((await governor.run(rejects))._unsafeUnwrapErr()).toMatchObject({ kind: 'unavailable', message: /boom/ });
    expect(sent).toBe(2);
    // A later probe still goes, and its answer closes the circuit.
    clock.t += 31_000;
    expect((await governor.run(() => okAsync('up')))._unsafeUnwrap()).toBe('up');
    expect((await governor.run(() => okAsync('again')))._unsafeUnwrap()).toBe('again');
  });
});
