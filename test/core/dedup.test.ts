import { describe, expect, it } from 'vitest';
import {
  activeDedup,
  DEDUP_WINDOW_MS,
  expiredDedup,
  isDeduped,
  recordDispatch,
  removeFromDedup,
} from '../../core/domain/dedup.js';
import { dedupEntry, HOUR, T0 } from './fixtures.js';

describe('dedup window', () => {
  it('is 24 hours', () => {
    expect(DEDUP_WINDOW_MS).toBe(24 * HOUR);
  });

  it('holds an issue and phase for 24 hours after dispatch, and not a millisecond more', () => {
    const ledger = [dedupEntry({ issueId: 'i', phase: 'planning', dispatchedAt: T0 })];
    expect(isDeduped(ledger, 'i', 'planning', T0)).toBe(true);
    expect(isDeduped(ledger, 'i', 'planning', T0 + DEDUP_WINDOW_MS - 1)).toBe(true);
    expect(isDeduped(ledger, 'i', 'planning', T0 + DEDUP_WINDOW_MS)).toBe(false);
  });

  it('does not hold another phase or another issue', () => {
    const ledger = [dedupEntry({ issueId: 'i', phase: 'planning' })];
    expect(isDeduped(ledger, 'i', 'implementation', T0 + 1)).toBe(false);
    expect(isDeduped(ledger, 'j', 'planning', T0 + 1)).toBe(false);
  });

  it('keeps one entry per issue: a new dispatch replaces the old one', () => {
    let ledger = recordDispatch([], dedupEntry({ issueId: 'i', phase: 'planning', dispatchedAt: T0 }));
    ledger = recordDispatch(ledger, dedupEntry({ issueId: 'j', phase: 'planning', dispatchedAt: T0 }));
    ledger = recordDispatch(ledger, dedupEntry({ issueId: 'i', phase: 'implementation', dispatchedAt: T0 + HOUR }));
    expect(ledger.filter((e) => e.issueId === 'i')).toEqual([
      dedupEntry({ issueId: 'i', phase: 'implementation', dispatchedAt: T0 + HOUR }),
    ]);
    expect(ledger).toHaveLength(2);
  });

  it('removes an issue whatever its phase, leaving the rest', () => {
    const ledger = [dedupEntry({ issueId: 'i' }), dedupEntry({ issueId: 'j', phase: 'implementation' })];
    expect(removeFromDedup(ledger, 'j').map((e) => e.issueId)).toEqual(['i']);
    expect(removeFromDedup(ledger, 'nope')).toEqual(ledger);
    expect(isDeduped(removeFromDedup(ledger, 'i'), 'i', 'planning', T0)).toBe(false);
  });

  it('lists the active entries newest first and the expired ones apart', () => {
    const old = dedupEntry({ issueId: 'old', identifier: 'ENG-1', dispatchedAt: T0 - 25 * HOUR });
    const a = dedupEntry({ issueId: 'a', identifier: 'ENG-2', dispatchedAt: T0 - HOUR });
    const b = dedupEntry({ issueId: 'b', identifier: 'ENG-3', dispatchedAt: T0 - 2 * HOUR });
    expect(activeDedup([b, old, a], T0)).toEqual([a, b]);
    expect(expiredDedup([b, old, a], T0)).toEqual([old]);
  });
});
