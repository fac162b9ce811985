import { describe, expect, it } from 'vitest';
import { createStorage } from '../../adapters/storage/create-storage.js';
import { createHmacSigning } from '../../adapters/system/hmac-signer.adapter.js';
import { createRunTokensService, PROGRESS_AUDIENCE, RESULT_AUDIENCE } from '../../core/app/runs/run-tokens.service.js';
import type { Job, Mapping } from '../../core/domain/model.js';
import type { Storage } from '../../ports/storage.port.js';

/** Issue 13: every callback credential dies with its run. */
async function world() {
  let now = 1_700_000_000_000;
  let counter = 0;
  const base = await createStorage({ dataDir: '.', storageUrl: 'memory:', now: () => now });
  const job = { id: 'job-1', phase: 'implementation', status: 'running', dispatchedAt: now } as Job;
  const storage = { ...base, jobs: { ...base.jobs, get: async (id: string) => (id === job.id ? job : undefined) } } as Storage;
  const tokens = createRunTokensService({
    config: { runnerTokenSecret: 'runner-token-secret-for-unit-tests-0123' },
    storage,
    clock: { now: () => now },
    ids: { newId: () => `id-${++counter}`, randomToken: () => `token-${++counter}` },
    signing: createHmacSigning(),
  });
  const mapping = { maxJobMinutes: 10 } as Mapping;
  return { tokens, job, mapping, advance: (ms: number) => (now += ms) };
}

describe('run credentials that die with their run', () => {
  it('refuses the nonce once the job is terminal', async () => {
    const { tokens, job, mapping } = await world();
    const { nonce } = await tokens.issue(job, mapping);
    expect(await tokens.jobForNonce(nonce)).toBe(job);
    job.status = 'failed';
    expect(await tokens.jobForNonce(nonce)).toBeUndefined();
  });

  it('refuses the nonce past its stored expiry, even for a job still marked running', async () => {
    const { tokens, job, mapping, advance } = await world();
    const { nonce, expiresAt } = await tokens.issue(job, mapping);
    advance(expiresAt - 1_700_000_000_000 + 1);
    expect(await tokens.jobForNonce(nonce)).toBeUndefined();
  });

  it("refuses an earlier dispatch's nonce and progress token: only the current run's count", async () => {
    const { tokens, job, mapping } = await world();
    const first = await tokens.issue(job, mapping);
    const firstClaims = tokens.verify(`Bearer ${first.progressToken}`, PROGRESS_AUDIENCE)._unsafeUnwrap();
    expect(await tokens.isCurrent(firstClaims)).toBe(true);
    const second = await tokens.issue(job, mapping);
    expect(await tokens.jobForNonce(first.nonce)).toBeUndefined();
    expect(await tokens.jobForNonce(second.nonce)).toBe(job);
    expect(await tokens.isCurrent(firstClaims)).toBe(false);
    const secondClaims = tokens.verify(`Bearer ${second.progressToken}`, PROGRESS_AUDIENCE)._unsafeUnwrap();
    expect(await tokens.isCurrent(secondClaims)).toBe(true);
  });

  it('checks a token it has seen again for audience and expiry, and a tampered copy afresh', async () => {
    const { tokens, job, mapping, advance } = await world();
    const { progressToken, expiresAt } = await tokens.issue(job, mapping);
    const header = `Bearer ${progressToken}`;
    expect(tokens.verify(header, PROGRESS_AUDIENCE).isOk()).toBe(true);
    expect(tokens.verify(header, RESULT_AUDIENCE)._unsafeUnwrapErr()).toBe('wrong_audience');
    const tampered = `${header.slice(0, -2)}${header.endsWith('AA') ? 'BB' : 'AA'}`;
    expect(tokens.verify(tampered, PROGRESS_AUDIENCE)._unsafeUnwrapErr()).toBe('bad_signature');
    // The claims handed out are copies: changing them does not change the next answer.
    const claims = tokens.verify(header, PROGRESS_AUDIENCE)._unsafeUnwrap();
    claims.aud.push(RESULT_AUDIENCE);
    expect(tokens.verify(header, RESULT_AUDIENCE)._unsafeUnwrapErr()).toBe('wrong_audience');
    // Credentials for redaction come with the current-run check, and only for the current run.
    expect(await tokens.currentCredentials(claims)).toEqual(await tokens.credentialValues(job.id));
    advance(expiresAt - 1_700_000_000_000 + 1);
    expect(tokens.verify(header, PROGRESS_AUDIENCE)._unsafeUnwrapErr()).toBe('expired');
    expect(await tokens.currentCredentials(claims)).toBeUndefined();
  });
});
