import { describe, expect, it } from 'vitest';
import { createStorage } from '../../adapters/storage/create-storage.js';
import { createHmacSigning } from '../../adapters/system/hmac-signer.adapter.js';
import { createRunTokensService, PROGRESS_AUDIENCE } from '../../core/app/runs/run-tokens.service.js';
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
});
