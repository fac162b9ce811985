import { describe, expect, it } from 'vitest';
import { createManualClock } from '../../adapters/system/system-clock.adapter.js';
import type { CoreSettings } from '../../core/app/core-settings.js';
import { createRunSecrets, STORED_SECRETS_CACHE_MS } from '../../core/app/runs/run-secrets.js';
import type { Storage } from '../../ports/storage.port.js';

const job = { id: 'job-1', teamKey: 'ENG' };

function setup() {
  const clock = createManualClock(1_000);
  let credentials = ['nonce-value-1', 'result-token-1', 'progress-token-1'];
  let stored = ['stored-value-1'];
  let storedReads = 0;
  const runSecrets = createRunSecrets({
    config: { adminAccessCode: 'admin-code-1' } as CoreSettings,
    clock,
    storage: { mappings: { get: async () => ({ extraEnv: { TOKEN: 'extra-env-value-1' } }) } } as unknown as Storage,
    runTokens: { credentialValues: async () => [...credentials] },
    storedSecretValues: async () => {
      storedReads++;
      return [...stored];
    },
  });
  return {
    clock,
    runSecrets,
    setCredentials: (values: string[]) => {
      credentials = values;
    },
    setStored: (values: string[]) => {
      stored = values;
    },
    storedReads: () => storedReads,
  };
}

describe('RunSecrets.valuesFor', () => {
  it('holds every value of the run, and hands out the same frozen list while none changed', async () => {
    const { runSecrets } = setup();
    const first = await runSecrets.valuesFor(job);
    expect(first).toEqual([
      'admin-code-1',
      'nonce-value-1',
      'result-token-1',
      'progress-token-1',
      'extra-env-value-1',
      'stored-value-1',
    ]);
    expect(Object.isFrozen(first)).toBe(true);
    expect(await runSecrets.valuesFor(job)).toBe(first);
    // The caller's own copy of the same credentials (a progress call's) is the same list too.
    expect(await runSecrets.valuesFor(job, ['nonce-value-1', 'result-token-1', 'progress-token-1'])).toBe(first);
  });

  it('makes a new list when a value is remembered, the credentials change or the stored values are read again', async () => {
    const { clock, runSecrets, setCredentials, setStored, storedReads } = setup();
    const first = await runSecrets.valuesFor(job);

    runSecrets.remember(job.id, 'minted-token-1');
    const remembered = await runSecrets.valuesFor(job);
    expect(remembered).not.toBe(first);
    expect(remembered).toContain('minted-token-1');
    runSecrets.remember(job.id, 'minted-token-1');
    expect(await runSecrets.valuesFor(job)).toBe(remembered);

    setCredentials(['nonce-value-2', 'result-token-2', 'progress-token-2']);
    const redispatched = await runSecrets.valuesFor(job);
    expect(redispatched).toEqual(expect.arrayContaining(['nonce-value-2', 'minted-token-1', 'extra-env-value-1']));
    expect(redispatched).not.toContain('nonce-value-1');
    expect(await runSecrets.valuesFor(job, ['other-credential-1'])).toContain('other-credential-1');

    const reads = storedReads();
    setStored(['stored-value-2']);
    expect(await runSecrets.valuesFor(job)).not.toContain('stored-value-2');
    expect(storedReads()).toBe(reads);
    clock.advance(STORED_SECRETS_CACHE_MS);
    const refreshed = await runSecrets.valuesFor(job);
    expect(storedReads()).toBe(reads + 1);
    expect(refreshed).toContain('stored-value-2');
    expect(refreshed).not.toContain('stored-value-1');
  });

  it('keeps the lists of different runs apart', async () => {
    const { runSecrets } = setup();
    runSecrets.remember('job-2', 'minted-for-job-2');
    const one = await runSecrets.valuesFor(job);
    const two = await runSecrets.valuesFor({ id: 'job-2', teamKey: 'ENG' });
    expect(one).not.toContain('minted-for-job-2');
    expect(two).toContain('minted-for-job-2');
    expect(await runSecrets.valuesFor(job)).toBe(one);
  });
});
