import { afterEach, describe, expect, it } from 'vitest';
import type { Secrets } from '../../ports/secrets.port.js';

/**
 * One secrets store under test. `revealsValues: false` declares a store whose values are
 * write-only (Fly app secrets): `reveal` must then hand back no value at all.
 */
export interface SecretsSubject {
  secrets: Secrets;
  revealsValues: boolean;
  close?: () => Promise<void>;
}

export function secretsContract(name: string, make: () => Promise<SecretsSubject>): void {
  describe(`${name} satisfies Secrets`, () => {
    let subject: SecretsSubject | undefined;
    const start = async () => {
      subject = await make();
      return subject;
    };
    afterEach(async () => {
      await subject?.close?.();
      subject = undefined;
    });

    it('lists nothing before anything is set', async () => {
      const { secrets } = await start();
      expect((await secrets.list())._unsafeUnwrap()).toEqual([]);
    });

    it('lists the names it was given, sorted, once each', async () => {
      const { secrets } = await start();
      expect((await secrets.set('ENG_TOKEN', 'value-1')).isOk()).toBe(true);
      expect((await secrets.set('API_KEY', 'value-2')).isOk()).toBe(true);
      expect((await secrets.set('ENG_TOKEN', 'value-3')).isOk()).toBe(true);
      expect((await secrets.list())._unsafeUnwrap()).toEqual(['API_KEY', 'ENG_TOKEN']);
    });

    it('never shows a value in what it lists', async () => {
      const { secrets } = await start();
      const value = 'sk-live-7f3a9c1e-never-listed';
      await secrets.set('PAYMENT_KEY', value);
      const listed = (await secrets.list())._unsafeUnwrap();
      expect(listed).toEqual(['PAYMENT_KEY']);
      expect(JSON.stringify(listed)).not.toContain(value);
    });

    it('removes a name, and answers notFound for one it does not have', async () => {
      const { secrets } = await start();
      await secrets.set('ENG_A', 'a');
      await secrets.set('ENG_B', 'b');
      expect((await secrets.remove('ENG_A')).isOk()).toBe(true);
      expect((await secrets.list())._unsafeUnwrap()).toEqual(['ENG_B']);
      const missing = await secrets.remove('ENG_A');
      expect(missing.isErr()).toBe(true);
      expect(missing._unsafeUnwrapErr()).toMatchObject({ kind: 'notFound', message: 'Secret not found' });
    });

    it('keeps names JavaScript objects carry (__proto__, constructor, toString) as ordinary names', async () => {
      const { secrets, revealsValues } = await start();
      // Nothing set: an inherited member is no secret.
      expect((await secrets.remove('toString'))._unsafeUnwrapErr()).toMatchObject({ kind: 'notFound' });
      expect(Object.keys((await secrets.reveal(['constructor', 'toString']))._unsafeUnwrap())).toEqual([]);
      expect((await secrets.set('__proto__', 'proto-value')).isOk()).toBe(true);
      expect((await secrets.set('constructor', 'ctor-value')).isOk()).toBe(true);
      expect((await secrets.list())._unsafeUnwrap()).toEqual(['__proto__', 'constructor']);
      const revealed = (await secrets.reveal(['__proto__', 'constructor', 'toString']))._unsafeUnwrap();
      expect(Object.keys(revealed).sort()).toEqual(['__proto__', 'constructor']);
      if (revealsValues)
        expect(Object.entries(revealed).sort()).toEqual([
          ['__proto__', 'proto-value'],
          ['constructor', 'ctor-value'],
        ]);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect((await secrets.remove('__proto__')).isOk()).toBe(true);
      expect((await secrets.list())._unsafeUnwrap()).toEqual(['constructor']);
    });

    it('reveals values for a session only where the store can, and leaves out unknown names', async () => {
      const { secrets, revealsValues } = await start();
      await secrets.set('ENG_TOKEN', 'tok-123');
      await secrets.set('GLOBAL_KEY', 'key-456');
      const revealed = (await secrets.reveal(['ENG_TOKEN', 'GLOBAL_KEY', 'NOT_SET']))._unsafeUnwrap();
      expect(Object.keys(revealed).sort()).toEqual(['ENG_TOKEN', 'GLOBAL_KEY']);
      if (revealsValues) {
        expect(revealed).toEqual({ ENG_TOKEN: 'tok-123', GLOBAL_KEY: 'key-456' });
      } else {
        expect(Object.values(revealed)).not.toContain('tok-123');
        expect(Object.values(revealed)).not.toContain('key-456');
      }
    });
  });
}
