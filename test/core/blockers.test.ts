import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  blockedByIssueMessage,
  compareNatural,
  concurrencyMessage,
  DEDUP_MESSAGE,
  noMappingMessage,
  openBlockers,
} from '../../core/domain/blockers.js';

describe('blocker messages', () => {
  it('are the spec messages', () => {
    expect(concurrencyMessage(3, 3)).toBe('at concurrency cap (3/3). Waiting for a slot.');
    expect(DEDUP_MESSAGE).toBe('Already dispatched recently. Waiting for the in-flight job.');
    expect(noMappingMessage('OPS')).toBe('No mapping for team OPS. Add one in Projects.');
  });

  it('names the open blockers in natural order', () => {
    const blockers = openBlockers([
      { identifier: 'ENG-10', open: true },
      { identifier: 'ENG-2', open: true },
      { identifier: 'ENG-3', open: false },
      { identifier: 'ENG-2', open: true },
    ]);
    expect(blockers).toEqual(['ENG-2', 'ENG-10']);
    expect(blockedByIssueMessage(blockers)).toBe('Blocked by open issues ENG-2, ENG-10. Waiting for them to close.');
    expect(blockedByIssueMessage(['ENG-1'])).toBe('Blocked by open issue ENG-1. Waiting for it to close.');
  });
});

describe('compareNatural', () => {
  it('orders numbers by value', () => {
    expect(['ENG-10', 'ENG-2', 'ENG-1', 'AB-3', 'ENG-02'].sort(compareNatural)).toEqual([
      'AB-3',
      'ENG-1',
      'ENG-02',
      'ENG-2',
      'ENG-10',
    ]);
  });

  it('is a total order: antisymmetric, transitive, zero only for equal strings', () => {
    const id = fc.stringMatching(/^[A-C0-2-]{0,6}$/);
    fc.assert(
      fc.property(id, id, id, (a, b, c) => {
        expect(Math.sign(compareNatural(a, b)) + Math.sign(compareNatural(b, a))).toBe(0);
        expect(compareNatural(a, b) === 0).toBe(a === b);
        if (compareNatural(a, b) < 0 && compareNatural(b, c) < 0) expect(compareNatural(a, c)).toBeLessThan(0);
      }),
      { numRuns: 2000 },
    );
  });
});
