import { describe, expect, it } from 'vitest';
import { expiredMachines, machineTimeout } from '../../../adapters/runners/fly-machines/machine-lifetime.js';

const minute = 60_000;
const now = 1_900_000_000_000;

describe('machine lifetime rule', () => {
  it('times a machine out only strictly after 60 minutes by default', () => {
    expect(machineTimeout({ id: 'm', startedAt: now - 60 * minute }, now)).toBeUndefined();
    expect(machineTimeout({ id: 'm', jobId: 'j', startedAt: now - 60 * minute - 1 }, now)).toEqual({
      sessionId: 'm',
      jobId: 'j',
      status: 'timed_out',
      reason: 'machine_timeout',
      ageMs: 60 * minute + 1,
    });
  });

  it('honours a configured lifetime', () => {
    expect(machineTimeout({ id: 'm', startedAt: now - 20 * minute }, now, 15)?.reason).toBe('machine_timeout');
    expect(machineTimeout({ id: 'm', startedAt: now - 20 * minute }, now, 30)).toBeUndefined();
  });

  it('does not judge a machine whose start time is unknown', () => {
    expect(machineTimeout({ id: 'm', startedAt: Number.NaN }, now)).toBeUndefined();
  });

  it('refuses a lifetime that is not positive', () => {
    expect(() => machineTimeout({ id: 'm', startedAt: now }, now, 0)).toThrow(/positive/);
  });

  it('picks the expired ones out of a listing, in order', () => {
    const sessions = [
      { id: 'a', startedAt: now - 90 * minute },
      { id: 'b', startedAt: now - 10 * minute },
      { id: 'c', startedAt: now - 61 * minute },
    ];
    expect(expiredMachines(sessions, now).map((t) => t.sessionId)).toEqual(['a', 'c']);
  });
});
