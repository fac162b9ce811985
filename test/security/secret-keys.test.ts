import { createCipheriv, randomBytes, scryptSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createLocalSecrets, type SecretUnlocker } from '../../adapters/secrets/local/local.secrets.js';
import { deriveKek, GCM_TAG_BYTES, open, SCRYPT_PARAMS, seal, wrapAad } from '../../adapters/secrets/local/secret-cipher.js';

/**
 * Issue 13, "Keys": values sealed under a random data key kept only wrapped, a key id on each
 * value, rotation that keeps every secret, an operator secret that can change without losing
 * the store, an OWASP scrypt setting for the human-chosen code (stores of the earlier N=2^17 one
 * still open), and full 16-byte GCM tags only.
 */

function memoryStore(initial?: Record<string, string>) {
  let text = initial ? JSON.stringify(initial) : undefined;
  return {
    load: async () => (text === undefined ? undefined : (JSON.parse(text) as Record<string, string>)),
    save: async (data: Record<string, string>) => {
      text = JSON.stringify(data);
    },
    record: () => (text === undefined ? {} : (JSON.parse(text) as Record<string, string>)),
  };
}

const runnerSecret = (secret: string): SecretUnlocker => ({ slot: 'RUNNER_TOKEN_SECRET', secret, kdf: 'hkdf' });
const accessCode = (secret: string): SecretUnlocker => ({ slot: 'ADMIN_ACCESS_CODE', secret, kdf: 'scrypt' });

const VALUES = { ENG_A: 'value-a', ENG_B: 'value-b-🔑', OPS_C: 'x'.repeat(5000) };

async function fill(store: ReturnType<typeof memoryStore>, unlockers: SecretUnlocker[]) {
  const secrets = createLocalSecrets({ unlockers, ...store });
  for (const [name, value] of Object.entries(VALUES)) (await secrets.set(name, value))._unsafeUnwrap();
  return secrets;
}

/**
 * A v2 store as earlier versions wrote it: its access-code slot under scrypt N=2^17 r=8 p=1
 * (and, given a signing secret, a RUNNER_TOKEN_SECRET slot), one value ENG_A = 'old-value'.
 */
async function oldSlotStore(code: string, signing?: string): Promise<Record<string, string>> {
  const dek = randomBytes(32);
  const keyId = 'oldkey';
  const salt = randomBytes(16);
  const kek = scryptSync(code, salt, 32, { N: 2 ** 17, r: 8, p: 1, maxmem: 256 * 1024 * 1024 });
  const slots: Record<string, unknown> = {
    ADMIN_ACCESS_CODE: {
      kdf: 'scrypt',
      salt: salt.toString('base64url'),
      N: 2 ** 17,
      r: 8,
      p: 1,
      wrapped: seal(kek, wrapAad('ADMIN_ACCESS_CODE', keyId), dek),
    },
  };
  if (signing) {
    const params = { kdf: 'hkdf', salt: randomBytes(16).toString('base64url') } as const;
    const key = await deriveKek(signing, params);
    slots.RUNNER_TOKEN_SECRET = { ...params, wrapped: seal(key, wrapAad('RUNNER_TOKEN_SECRET', keyId), dek) };
  }
  return {
    $store: JSON.stringify({ v: 2, keyId, slots }),
    ENG_A: `v2.${keyId}.${seal(dek, 'ENG_A', 'old-value')}`,
  };
}

const header = (store: ReturnType<typeof memoryStore>) =>
  JSON.parse(store.record().$store ?? '{}') as { v: number; keyId: string; slots: Record<string, Record<string, unknown>> };

describe('local secret store keys', () => {
  it('seals each value under a random data key, named by a key id on the value, kept only wrapped', async () => {
    const store = memoryStore();
    await fill(store, [runnerSecret('machine-secret')]);
    const h = header(store);
    expect(h.v).toBe(2);
    expect(h.keyId).toMatch(/^[A-Za-z0-9_-]+$/);
    for (const name of Object.keys(VALUES)) expect(store.record()[name]?.startsWith(`v2.${h.keyId}.`)).toBe(true);
    expect(Object.keys(h.slots)).toEqual(['RUNNER_TOKEN_SECRET']);
    expect(JSON.stringify(store.record())).not.toContain('machine-secret');
  });

  it('rotate re-encrypts every secret under a new key id, and every secret stays readable', async () => {
    const store = memoryStore();
    const secrets = await fill(store, [runnerSecret('s1'), accessCode('code-1')]);
    const before = store.record();
    const rotated = (await secrets.rotate())._unsafeUnwrap();
    expect(rotated.count).toBe(3);
    expect(rotated.keyId).not.toBe(header(memoryStore(before)).keyId);
    const after = store.record();
    for (const name of Object.keys(VALUES)) {
      expect(after[name]?.startsWith(`v2.${rotated.keyId}.`)).toBe(true);
      expect(after[name]).not.toBe(before[name]);
    }
    const reopened = createLocalSecrets({ unlockers: [runnerSecret('s1')], ...memoryStore(after) });
    expect((await reopened.reveal(Object.keys(VALUES)))._unsafeUnwrap()).toEqual(VALUES);
    const byCode = createLocalSecrets({ unlockers: [accessCode('code-1')], ...memoryStore(after) });
    expect((await byCode.reveal(Object.keys(VALUES)))._unsafeUnwrap()).toEqual(VALUES);
  });

  it('a value sealed under the previous data key does not open after a rotation', async () => {
    const store = memoryStore();
    const secrets = await fill(store, [runnerSecret('s1')]);
    const old = store.record().ENG_A as string;
    await secrets.rotate();
    const planted = memoryStore({ ...store.record(), ENG_A: old });
    const reopened = createLocalSecrets({ unlockers: [runnerSecret('s1')], ...planted });
    expect((await reopened.reveal(['ENG_A']))._unsafeUnwrapErr().kind).toBe('invalid');
  });

  it('changing the signing secret (RUNNER_TOKEN_SECRET) keeps the store, then the access code too, one at a time', async () => {
    const store = memoryStore();
    await fill(store, [runnerSecret('signing-1'), accessCode('code-1')]);
    const newSigning = createLocalSecrets({ unlockers: [runnerSecret('signing-2'), accessCode('code-1')], ...store });
    expect((await newSigning.reveal(Object.keys(VALUES)))._unsafeUnwrap()).toEqual(VALUES);
    // The new signing secret was wrapped on that open: it alone opens the store now.
    const newCode = createLocalSecrets({ unlockers: [runnerSecret('signing-2'), accessCode('code-2')], ...store });
    expect((await newCode.reveal(Object.keys(VALUES)))._unsafeUnwrap()).toEqual(VALUES);
    const onlyNew = createLocalSecrets({ unlockers: [accessCode('code-2')], ...store });
    expect((await onlyNew.list())._unsafeUnwrap()).toEqual(Object.keys(VALUES).sort());
  });

  it('after a rotation an operator secret no longer configured opens nothing', async () => {
    const store = memoryStore();
    await fill(store, [runnerSecret('signing-1'), accessCode('leaked-code')]);
    await createLocalSecrets({ unlockers: [runnerSecret('signing-1')], ...store }).rotate();
    expect(Object.keys(header(store).slots)).toEqual(['RUNNER_TOKEN_SECRET']);
    const leaked = createLocalSecrets({ unlockers: [accessCode('leaked-code')], ...store });
    expect((await leaked.list())._unsafeUnwrapErr()).toMatchObject({ kind: 'auth' });
  });

  it('refuses with auth, naming the slots and no value, when no configured secret opens it; nothing is written', async () => {
    const store = memoryStore();
    await fill(store, [runnerSecret('signing-1'), accessCode('code-1')]);
    const before = JSON.stringify(store.record());
    const wrong = createLocalSecrets({ unlockers: [runnerSecret('signing-9'), accessCode('code-9')], ...store });
    const error = (await wrong.reveal(['ENG_A']))._unsafeUnwrapErr();
    expect(error.kind).toBe('auth');
    expect(error.message).toContain('RUNNER_TOKEN_SECRET, ADMIN_ACCESS_CODE');
    expect(error.message).not.toContain('signing-9');
    expect((await wrong.set('X', 'y'))._unsafeUnwrapErr().kind).toBe('auth');
    expect(JSON.stringify(store.record())).toBe(before);
  });

  it('stretches the human-chosen access code with scrypt at one of OWASP’s equivalent settings', async () => {
    // OWASP: N=2^17 r=8 p=1, N=2^16 r=8 p=2, N=2^15 r=8 p=3 and N=2^14 r=8 p=5 are equivalent.
    const owasp = [
      [2 ** 17, 8, 1],
      [2 ** 16, 8, 2],
      [2 ** 15, 8, 3],
      [2 ** 14, 8, 5],
    ];
    expect(owasp).toContainEqual([SCRYPT_PARAMS.N, SCRYPT_PARAMS.r, SCRYPT_PARAMS.p]);
    const store = memoryStore();
    await fill(store, [accessCode('letmein')]);
    const slot = header(store).slots.ADMIN_ACCESS_CODE as { kdf: string; N: number; r: number; p: number };
    expect(slot.kdf).toBe('scrypt');
    expect([slot.N, slot.r, slot.p]).toEqual([SCRYPT_PARAMS.N, SCRYPT_PARAMS.r, SCRYPT_PARAMS.p]);
  });

  it('opens a store whose access-code slot is of the earlier N=2^17 r=8 p=1, and wraps it again under the current setting', async () => {
    const store = memoryStore(await oldSlotStore('code-1'));
    const secrets = createLocalSecrets({ unlockers: [accessCode('code-1')], ...store });
    expect((await secrets.reveal(['ENG_A']))._unsafeUnwrap()).toEqual({ ENG_A: 'old-value' });
    const slot = header(store).slots.ADMIN_ACCESS_CODE as { N: number; r: number; p: number };
    expect([slot.N, slot.r, slot.p]).toEqual([SCRYPT_PARAMS.N, SCRYPT_PARAMS.r, SCRYPT_PARAMS.p]);
    const reopened = createLocalSecrets({ unlockers: [accessCode('code-1')], ...store });
    expect((await reopened.reveal(['ENG_A']))._unsafeUnwrap()).toEqual({ ENG_A: 'old-value' });
    expect((await reopened.set('ENG_B', 'new-value'))._unsafeUnwrap()).toBeUndefined();
    expect((await reopened.reveal(['ENG_A', 'ENG_B']))._unsafeUnwrap()).toEqual({ ENG_A: 'old-value', ENG_B: 'new-value' });
  });

  it('an earlier-setting access-code slot beside RUNNER_TOKEN_SECRET is wrapped again under the current setting on open', async () => {
    const store = memoryStore(await oldSlotStore('code-1', 'signing-1'));
    const secrets = createLocalSecrets({ unlockers: [runnerSecret('signing-1'), accessCode('code-1')], ...store });
    expect((await secrets.list())._unsafeUnwrap()).toEqual(['ENG_A']);
    const slot = header(store).slots.ADMIN_ACCESS_CODE as { N: number; p: number };
    expect([slot.N, slot.p]).toEqual([SCRYPT_PARAMS.N, SCRYPT_PARAMS.p]);
    const byCode = createLocalSecrets({ unlockers: [accessCode('code-1')], ...store });
    expect((await byCode.reveal(['ENG_A']))._unsafeUnwrap()).toEqual({ ENG_A: 'old-value' });
  });

  it('upgrades a store of the earlier version (one scrypt key, v1 values) and keeps every secret', async () => {
    const master = 'signing-1';
    const salt = randomBytes(16);
    const key = scryptSync(master, salt, 32, { N: 2 ** 14, r: 8, p: 1 });
    const v1Seal = (aad: string, text: string) => {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(aad));
      const body = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]);
      return ['v1', iv, cipher.getAuthTag(), body].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
    };
    const v1Header = {
      v: 1,
      kdf: 'scrypt',
      N: 2 ** 14,
      r: 8,
      p: 1,
      salt: salt.toString('base64url'),
      check: v1Seal('$check', 'ai-implement local secrets v1').slice(3),
    };
    const store = memoryStore({ $store: JSON.stringify(v1Header), ENG_A: v1Seal('ENG_A', 'old-value') });
    const secrets = createLocalSecrets({ unlockers: [runnerSecret(master)], ...store });
    expect((await secrets.reveal(['ENG_A']))._unsafeUnwrap()).toEqual({ ENG_A: 'old-value' });
    expect(header(store).v).toBe(2);
    expect(store.record().ENG_A?.startsWith(`v2.${header(store).keyId}.`)).toBe(true);
  });
});

describe('AES-GCM tags', () => {
  const key = randomBytes(32);

  it('opens a value with its full 16-byte tag', () => {
    expect(open(key, 'NAME', seal(key, 'NAME', 'hello'))).toBe('hello');
  });

  it.each([4, 8, 12, 15])('refuses a tag truncated to %i bytes', (bytes) => {
    const [iv, tag, body] = seal(key, 'NAME', 'hello').split('.') as [string, string, string];
    const short = Buffer.from(tag, 'base64url').subarray(0, bytes).toString('base64url');
    expect(Buffer.from(tag, 'base64url').length).toBe(GCM_TAG_BYTES);
    expect(open(key, 'NAME', [iv, short, body].join('.'))).toBeUndefined();
  });

  it('the store refuses an entry whose tag was truncated', async () => {
    const store = memoryStore();
    await fill(store, [runnerSecret('s1')]);
    const entry = store.record().ENG_A as string;
    const [v, kid, iv, tag, body] = entry.split('.') as [string, string, string, string, string];
    const truncated = [v, kid, iv, Buffer.from(tag, 'base64url').subarray(0, 4).toString('base64url'), body].join('.');
    const tampered = createLocalSecrets({
      unlockers: [runnerSecret('s1')],
      ...memoryStore({ ...store.record(), ENG_A: truncated }),
    });
    expect((await tampered.reveal(['ENG_A']))._unsafeUnwrapErr().kind).toBe('invalid');
  });
});
