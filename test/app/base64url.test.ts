import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromBase64Url, toBase64Url } from '../../core/domain/base64url.js';

describe('base64url without Buffer', () => {
  it('encodes exactly as Buffer does, and decodes back, for any text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (text) => {
        const encoded = toBase64Url(text);
        expect(encoded).toBe(Buffer.from(text, 'utf8').toString('base64url'));
        expect(fromBase64Url(encoded)).toBe(text);
      }),
    );
  });

  it('refuses what is not base64url', () => {
    expect(fromBase64Url('a+b/')).toBeUndefined();
    expect(fromBase64Url('abcde')).toBeUndefined();
    expect(fromBase64Url('ab=')).toBeUndefined();
  });
});
