import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { REDACTED, redactDeep, redactSecrets, TOO_DEEP } from '../../core/domain/redaction.js';
import { leakedIn } from '../security/leak-detector.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

/** Every way the attacker of issue 13 got a secret past literal matching. */
const ENCODINGS: Record<string, (text: string, secret: string) => string> = {
  plain: (t) => t,
  base64: (t) => b64(t),
  'base64 unpadded': (t) => b64(t).replace(/=+$/, ''),
  base64url: (t) => Buffer.from(t).toString('base64url'),
  'base64 wrapped at 64 (PEM)': (t) => b64(t).replace(/.{64}/g, '$&\n'),
  hex: (t) => Buffer.from(t).toString('hex'),
  'HEX upper': (t) => Buffer.from(t).toString('hex').toUpperCase(),
  'URL-encoded': (t) => encodeURIComponent(t),
  'URL-encoded as a URL (encodeURI)': (t) => encodeURI(t),
  'URL-encoded every byte': (t) => [...Buffer.from(t)].map((b) => `%${b.toString(16).padStart(2, '0')}`).join(''),
  'URL-encoded twice': (t) => encodeURIComponent(encodeURIComponent(t)),
  'hex dump with spaces': (t) => [...Buffer.from(t)].map((b) => b.toString(16).padStart(2, '0')).join(' '),
  'hex as a C array': (t) => [...Buffer.from(t)].map((b) => `0x${b.toString(16).padStart(2, '0').toUpperCase()}`).join(', '),
  'hex as \\x escapes': (t) => [...Buffer.from(t)].map((b) => `\\x${b.toString(16).padStart(2, '0')}`).join(''),
  'JSON-escaped': (t) => JSON.stringify(t),
  'JSON-escaped twice': (t) => JSON.stringify(JSON.stringify({ t })),
  // Split between characters (code points: a break inside a UTF-16 pair is no text at all).
  'split across lines': (t, s) => {
    const c = [...s];
    return t.replace(s, () => `${c.slice(0, 3).join('')}\n${c.slice(3, 9).join('')}\r\n${c.slice(9).join('')}`);
  },
};

const secretArb = fc.string({ minLength: 8, maxLength: 48 }).filter((s) => s.trim().length >= 8 && !/[\r\n]/.test(s));
const textArb = fc.string({ maxLength: 40 });

describe('redactSecrets', () => {
  for (const [name, encode] of Object.entries(ENCODINGS)) {
    it(`leaves no trace of a secret ${name}, at any offset in any text (property)`, () => {
      fc.assert(
        fc.property(secretArb, textArb, textArb, (secret, before, after) => {
          const text = `log: ${encode(`${before}${secret}${after}`, secret)} :end`;
          const redacted = redactSecrets(text, [secret]);
          expect(leakedIn(redacted, [secret])).toEqual([]);
          expect(redacted).toContain(REDACTED);
        }),
        { numRuns: 150 },
      );
    });
  }

  it('keeps a unicode secret out in every encoding (property)', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', minLength: 6, maxLength: 20 }).filter((s) => s.trim().length >= 6),
        (secret) => {
          for (const encode of Object.values(ENCODINGS)) {
            const text = encode(`a ${secret} b`, secret);
            expect(leakedIn(redactSecrets(text, [secret]), [secret])).toEqual([]);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('redacts a multi-line PEM key whether its lines are raw, escaped or joined', () => {
    const pem =
      '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj\n-----END PRIVATE KEY-----';
    for (const text of [pem, JSON.stringify({ key: pem }), pem.replaceAll('\n', ''), pem.replaceAll('\n', '\r\n')]) {
      const out = redactSecrets(text, [pem]);
      expect(out).not.toContain('MIIEvQIBADANBgkqhkiG9w0BAQEFAASC');
      expect(out).not.toContain('BKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj');
    }
    // Hex-dumped with its line breaks as bytes (`0a`), and without them.
    const dump = (text: string) => [...Buffer.from(text)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
    for (const text of [dump(pem), dump(pem.replaceAll('\n', ''))])
      expect(leakedIn(redactSecrets(text, [pem]), [pem])).toEqual([]);
  });

  it('leaves ordinary text alone and short values unredacted', () => {
    expect(redactSecrets('nothing to see here', ['s3cr3t-value-xyz'])).toBe('nothing to see here');
    expect(redactSecrets('a b c', ['b'])).toBe('a b c');
  });

  it('redacts structured values before they are serialised, keys included', () => {
    const secret = 'va"lue\\with-quote';
    const out = redactDeep({ [secret]: [`x ${secret} y`, 3] }, [secret]);
    expect(JSON.stringify(out)).not.toContain('with-quote');
    expect(out).toEqual({ [REDACTED]: [`x ${REDACTED} y`, 3] });
  });

  it('redacts a structured value exactly as string by string, whether its strings hold a secret or not (property)', () => {
    // The precise path: every string and key on its own, as redactDeep's quick check over all of them at once must match.
    const oneByOne = (value: unknown, secrets: readonly string[], depth = 0): unknown => {
      if (typeof value === 'string') return redactSecrets(value, secrets);
      if (value === null || typeof value !== 'object') return value;
      if (depth > 20) return redactSecrets(JSON.stringify(value), secrets);
      if (Array.isArray(value)) return value.map((v) => oneByOne(v, secrets, depth + 1));
      return Object.fromEntries(
        Object.entries(value).map(([k, v]) => [redactSecrets(k, secrets), oneByOne(v, secrets, depth + 1)]),
      );
    };
    const encodings = Object.values(ENCODINGS);
    const leafArb = (secrets: string[]) =>
      fc.oneof(
        textArb,
        fc
          .tuple(fc.constantFrom(...secrets), fc.nat(encodings.length - 1), textArb, textArb)
          .map(
            ([secret, n, before, after]) =>
              `${before}${(encodings[n] as (t: string, s: string) => string)(` ${secret} `, secret)}${after}`,
          ),
        fc.constantFrom('\\', '\n', 'a\r\nb', '"quoted"'),
        fc.integer(),
        fc.constant(null),
      );
    fc.assert(
      fc.property(
        fc.array(secretArb, { minLength: 1, maxLength: 3 }).chain((secrets) =>
          fc.tuple(
            fc.constant(secrets),
            fc.letrec((tie) => ({
              value: fc.oneof({ depthSize: 'small' }, leafArb(secrets), tie('array'), tie('object')),
              array: fc.array(tie('value'), { maxLength: 4 }),
              object: fc.dictionary(fc.oneof(textArb, leafArb(secrets).map(String)), tie('value'), { maxKeys: 4 }),
            })).value,
            fc.boolean(),
          ),
        ),
        ([secrets, value, frozen]) => {
          const list = frozen ? Object.freeze([...secrets]) : secrets;
          expect(redactDeep(value, list)).toEqual(oneByOne(value, secrets));
          // Asked again (the forms of the list are kept): the same answer.
          expect(redactDeep(value, list)).toEqual(oneByOne(value, secrets));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('redacts a secret nested below its walk: what is deeper goes on as redacted JSON text', () => {
    const secret = 'sk-nested-far-down-1234';
    let value: unknown = { note: `key ${secret}`, [secret]: Buffer.from(secret).toString('hex') };
    for (let i = 0; i < 30; i++) value = i % 2 ? { a: value } : [value];
    const out = JSON.stringify(redactDeep(value, [secret]));
    expect(out).not.toContain(secret);
    expect(out).not.toContain(Buffer.from(secret).toString('hex'));
    expect(out).toContain(REDACTED);
    // With nothing to redact the deep part is still text: a copy a store can always write.
    expect(JSON.stringify(redactDeep(value, []))).toContain(`key ${secret}`);
  });

  it('keeps a value too deep to write as JSON as a marker, never a structure a store cannot serialise', () => {
    const value = JSON.parse(`{"output":${'['.repeat(100_000)}${']'.repeat(100_000)}}`) as unknown;
    expect(() => JSON.stringify(value)).toThrow(RangeError);
    const out = redactDeep(value, ['some-secret-value']);
    expect(JSON.stringify(out)).toContain(JSON.stringify(TOO_DEEP));
  });

  it('copies what it redacts, even with nothing to redact, and keeps an own __proto__ a field', () => {
    const value = JSON.parse('{"a":{"b":["x"]},"__proto__":{"c":"secret-value-1"}}') as Record<string, unknown>;
    const out = redactDeep(value, ['secret-value-1']) as Record<string, unknown>;
    expect(out).not.toBe(value);
    expect(out.a).not.toBe(value.a);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.hasOwn(out, '__proto__')).toBe(true);
    expect(JSON.stringify(out)).toBe('{"a":{"b":["x"]},"__proto__":{"c":"[REDACTED]"}}');
    const clean = redactDeep(value, ['nowhere-in-it']) as Record<string, unknown>;
    expect(clean).not.toBe(value);
    expect(clean).toEqual(value);
  });
});
