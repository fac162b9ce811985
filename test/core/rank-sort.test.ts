import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rankSort } from '../../core/domain/rank-sort.js';

interface Item {
  rank: number;
  time: number;
  name: string;
}
const compare = (a: Item, b: Item) =>
  a.rank - b.rank || (a.time < b.time ? -1 : a.time > b.time ? 1 : 0) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

const itemArb = fc.record({
  rank: fc.integer({ min: 0, max: 5 }),
  // Few distinct times, -0 among them: many ties go through the comparator.
  time: fc.oneof(fc.constantFrom(0, -0, 1, 1.5e12, -7), fc.double({ noNaN: true, noDefaultInfinity: true })),
  name: fc.string({ maxLength: 3 }),
});

describe('rankSort', () => {
  it('orders exactly like the comparator sort, on the fast path and off it', () => {
    fc.assert(
      fc.property(fc.array(itemArb, { minLength: 0, maxLength: 400, size: 'max' }), (items) => {
        expect(rankSort(items, compare)).toEqual([...items].sort(compare));
      }),
      { numRuns: 300 },
    );
  });

  it('falls back to the comparator for keys it cannot pack, with the same result', () => {
    const items = Array.from(
      { length: 100 },
      (_, n): Item => ({ rank: n % 3, time: n % 2 ? Number.POSITIVE_INFINITY : n, name: `${n}` }),
    );
    expect(rankSort(items, compare)).toEqual([...items].sort(compare));
    const bigRank = items.map((i) => ({ ...i, time: 1, rank: i.rank * 10 }));
    expect(rankSort(bigRank, compare)).toEqual([...bigRank].sort(compare));
  });

  it('does not touch its input', () => {
    const items = Array.from({ length: 100 }, (_, n): Item => ({ rank: (n * 7) % 5, time: (n * 13) % 17, name: `${n}` }));
    const copy = structuredClone(items);
    rankSort(items, compare);
    expect(items).toEqual(copy);
  });
});
