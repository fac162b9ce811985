import { describe, expect, it } from 'vitest';
import { createLocalSecrets, type SecretUnlocker } from '../../../adapters/secrets/local/local.secrets.js';
import { secretsContract } from '../../../testing/contracts/secrets.contract.js';

/** One unlocker of the kind RUNNER_TOKEN_SECRET is (HKDF), so these tests stay fast. */
const machineKey = (secret: string): SecretUnlocker[] => [{ slot: 'RUNNER_TOKEN_SECRET', secret, kdf: 'hkdf' }];

/** An in-memory stand-in for the Storage port: keeps exactly what `save` was given, as JSON text. */
function memoryStore(initial?: string) {
  let text = initial;
  return {
    load: async () => (text === undefined ? undefined : (JSON.parse(text) as Record<string, string>)),
    save: async (data: Record<string, string>) => {
      text = JSON.stringify(data);
    },
    text: () => text ?? '',
  };
}

secretsContract('local (encrypted at rest)', async () => {
  const store = memoryStore();
  return {
    secrets: createLocalSecrets({ unlockers: machineKey('correct horse battery staple'), ...store }),
    revealsValues: true,
  };
});

describe('local secrets', () => {
  const value = 'ghp_9f8e7d6c5b4a-plaintext-marker';

  it('never stores the plaintext value', async () => {
    const store = memoryStore();
    const secrets = createLocalSecrets({ unlockers: machineKey('master-1'), ...store });
    await secrets.set('ENG_GITHUB_TOKEN', value);
    await secrets.set('OTHER', value);
    expect(store.text()).toContain('ENG_GITHUB_TOKEN');
    expect(store.text()).not.toContain(value);
    expect(store.text()).not.toContain(Buffer.from(value).toString('base64'));
    expect(store.text()).not.toContain(Buffer.from(value).toString('base64url'));
    expect(store.text()).not.toContain('master-1');
  });

  it('seals the same value differently each time (fresh IV)', async () => {
    const store = memoryStore();
    const secrets = createLocalSecrets({ unlockers: machineKey('master-1'), ...store });
    await secrets.set('A', value);
    await secrets.set('B', value);
    const saved = JSON.parse(store.text()) as Record<string, string>;
    expect(saved.A).not.toBe(saved.B);
  });

  it('reveals again from what was persisted, in a new instance with the same key', async () => {
    const store = memoryStore();
    await createLocalSecrets({ unlockers: machineKey('master-1'), ...store }).set('ENG_TOKEN', value);
    const reopened = createLocalSecrets({ unlockers: machineKey('master-1'), ...memoryStore(store.text()) });
    expect((await reopened.reveal(['ENG_TOKEN']))._unsafeUnwrap()).toEqual({ ENG_TOKEN: value });
  });

  it('refuses a wrong master key with auth, for reading and for writing, and leaves the store as it was', async () => {
    const store = memoryStore();
    await createLocalSecrets({ unlockers: machineKey('master-1'), ...store }).set('ENG_TOKEN', value);
    const before = store.text();
    const wrong = createLocalSecrets({ unlockers: machineKey('master-2'), ...store });
    expect((await wrong.reveal(['ENG_TOKEN']))._unsafeUnwrapErr().kind).toBe('auth');
    expect((await wrong.list())._unsafeUnwrapErr().kind).toBe('auth');
    expect((await wrong.set('OTHER', 'x'))._unsafeUnwrapErr().kind).toBe('auth');
    expect(store.text()).toBe(before);
  });

  it('does not open a ciphertext moved under another name', async () => {
    const store = memoryStore();
    const secrets = createLocalSecrets({ unlockers: machineKey('master-1'), ...store });
    await secrets.set('A', 'value-a');
    await secrets.set('B', 'value-b');
    const saved = JSON.parse(store.text()) as Record<string, string>;
    const swapped = createLocalSecrets({
      unlockers: machineKey('master-1'),
      ...memoryStore(JSON.stringify({ ...saved, B: saved.A })),
    });
    expect((await swapped.reveal(['B']))._unsafeUnwrapErr()).toMatchObject({ kind: 'invalid' });
  });

  it('keeps every one of many concurrent sets', async () => {
    const store = memoryStore();
    const secrets = createLocalSecrets({ unlockers: machineKey('master-1'), ...store });
    const names = Array.from({ length: 20 }, (_, i) => `S_${i}`);
    await Promise.all(names.map((name) => secrets.set(name, `v-${name}`)));
    expect((await secrets.list())._unsafeUnwrap()).toEqual([...names].sort());
  });

  it('reports a failing load as unavailable', async () => {
    const secrets = createLocalSecrets({
      unlockers: machineKey('m'),
      load: async () => {
        throw new Error('disk gone');
      },
      save: async () => {},
    });
    expect((await secrets.list())._unsafeUnwrapErr()).toMatchObject({ kind: 'unavailable' });
  });

  it('refuses construction without a non-empty unlocker', () => {
    expect(() => createLocalSecrets({ unlockers: machineKey(''), ...memoryStore() })).toThrow(/unlocker/);
  });
});
