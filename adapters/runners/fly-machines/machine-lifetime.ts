import type { RunnerSession } from '../../../ports/runner.port.js';

/**
 * The machine lifetime rule (spec, "timed_out reasons": `machine_timeout` — the session machine
 * exceeded its lifetime, around 60 minutes). Pure: `now` is an argument. It lives beside the Fly
 * adapter because only Fly machines have this lifetime; it has no I/O and could move to core.
 */
export const DEFAULT_MACHINE_LIFETIME_MINUTES = 60;

export interface MachineTimeout {
  sessionId: string;
  jobId?: string;
  status: 'timed_out';
  reason: 'machine_timeout';
  ageMs: number;
}

/** A session is past its lifetime when strictly more than `lifetimeMinutes` have passed since it started. */
export function machineTimeout(
  session: Pick<RunnerSession, 'id' | 'jobId' | 'startedAt'>,
  now: number,
  lifetimeMinutes: number = DEFAULT_MACHINE_LIFETIME_MINUTES,
): MachineTimeout | undefined {
  if (!(lifetimeMinutes > 0)) throw new Error(`machine lifetime must be positive, got ${lifetimeMinutes}`);
  // A machine whose start time Fly did not give cannot be judged; the reaper's other rules cover it.
  if (!Number.isFinite(session.startedAt)) return undefined;
  const ageMs = now - session.startedAt;
  if (ageMs <= lifetimeMinutes * 60_000) return undefined;
  return {
    sessionId: session.id,
    ...(session.jobId === undefined ? {} : { jobId: session.jobId }),
    status: 'timed_out',
    reason: 'machine_timeout',
    ageMs,
  };
}

export function expiredMachines(
  sessions: readonly Pick<RunnerSession, 'id' | 'jobId' | 'startedAt'>[],
  now: number,
  lifetimeMinutes: number = DEFAULT_MACHINE_LIFETIME_MINUTES,
): MachineTimeout[] {
  return sessions.flatMap((session) => machineTimeout(session, now, lifetimeMinutes) ?? []);
}
