import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createStorage } from '../../adapters/storage/create-storage.js';
import { secretsCommand } from '../../hosts/cli/secrets-command.js';
import { createConfiguredLocalSecrets } from '../../hosts/composition/local-secrets.js';
import { collection } from '../../ports/storage.port.js';

/** `ai-implement secrets rotate` on the embedded store: every secret readable after, under a new key id. */
describe('ai-implement secrets rotate', () => {
  let dataDir: string;
  const out: string[] = [];
  const errors: string[] = [];
  const io = { out: (l: string) => out.push(l), err: (l: string) => errors.push(l) };
  const env = () => ({ DATA_DIR: dataDir, RUNNER_TOKEN_SECRET: 'signing-secret-2' });
  const values = { ENG_TOKEN: 'tok-1', OPS_KEY: 'line1\nline2' };

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'ai-implement-rotate-'));
    out.length = 0;
    errors.length = 0;
  });
  afterEach(() => rm(dataDir, { recursive: true, force: true }));

  const withStore = async <T>(
    config: { runnerTokenSecret?: string; adminAccessCode?: string },
    work: (
      s: NonNullable<ReturnType<typeof createConfiguredLocalSecrets>>,
      storage: Awaited<ReturnType<typeof createStorage>>,
    ) => Promise<T>,
  ) => {
    const storage = await createStorage({ dataDir });
    try {
      const secrets = createConfiguredLocalSecrets(config, storage);
      if (!secrets) throw new Error('no unlocker');
      return await work(secrets, storage);
    } finally {
      await storage.close();
    }
  };
  const keyIdOf = (storage: Awaited<ReturnType<typeof createStorage>>) =>
    storage.documents
      .get(collection<Record<string, string>>('local-secrets'), 'store')
      .then((r) => (JSON.parse(r?.$store ?? '{}') as { keyId: string }).keyId);

  it('re-encrypts every secret under a new key after the signing secret changed, and they all still open', async () => {
    const before = await withStore(
      { runnerTokenSecret: 'signing-secret-1', adminAccessCode: 'code-long-enough' },
      async (s, storage) => {
        for (const [name, value] of Object.entries(values)) (await s.set(name, value))._unsafeUnwrap();
        return keyIdOf(storage);
      },
    );
    // RUNNER_TOKEN_SECRET changed; ADMIN_ACCESS_CODE still opens the store.
    expect(await secretsCommand(['rotate'], { ...env(), ADMIN_ACCESS_CODE: 'code-long-enough' }, io)).toBe(0);
    expect(errors).toEqual([]);
    expect(out[0]).toMatch(/^rotated 2 secret\(s\) to key [A-Za-z0-9_-]+$/);
    await withStore({ runnerTokenSecret: 'signing-secret-2' }, async (s, storage) => {
      const after = await keyIdOf(storage);
      expect(after).not.toBe(before);
      expect(out[0]).toContain(after);
      expect((await s.reveal(Object.keys(values)))._unsafeUnwrap()).toEqual(values);
    });
    expect(out.join('\n')).not.toContain('tok-1');
  });

  it('fails naming the slots, and changes nothing, when no configured secret opens the store', async () => {
    await withStore({ runnerTokenSecret: 'signing-secret-1' }, async (s) => (await s.set('ENG_TOKEN', 'tok-1'))._unsafeUnwrap());
    expect(await secretsCommand(['rotate'], env(), io)).toBe(1);
    expect(errors[0]).toMatch(
      /^secrets rotate failed: none of the configured keys \(RUNNER_TOKEN_SECRET\) opens this secret store$/,
    );
    await withStore({ runnerTokenSecret: 'signing-secret-1' }, async (s) =>
      expect((await s.reveal(['ENG_TOKEN']))._unsafeUnwrap()).toEqual({ ENG_TOKEN: 'tok-1' }),
    );
  });

  it('prints its usage for anything but `rotate`', async () => {
    expect(await secretsCommand([], env(), io)).toBe(2);
    expect(await secretsCommand(['rotate', 'x'], env(), io)).toBe(2);
    expect(errors).toEqual(['Usage: ai-implement secrets rotate', 'Usage: ai-implement secrets rotate']);
  });
});
