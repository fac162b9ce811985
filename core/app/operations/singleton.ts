import type { Logger } from '../../../ports/logger.port.js';
import type { Lease, LeaseStore } from '../../../ports/storage.port.js';

/** Short, so a surviving replica takes over quickly; renewed while the holder works. */
export const LEASE_TTL_MS = 10_000;
const RENEW_EVERY_MS = 3_000;

export interface SingletonDeps {
  leases: LeaseStore;
  logger: Logger;
  /** This process's lease owner id: stable across a restart of the same node (host and port). */
  leaseOwner: string;
}

/** A held lease as the work sees it: its fencing token, and whether it is still held. */
export interface LeaseHold {
  readonly fence: { lease: string; token: number };
  held(): boolean;
}

export interface Singleton {
  /**
   * Runs `work` only while this process holds the lease `name` (one holder across every
   * process sharing the store); resolves undefined without running when another owner holds
   * it. The lease is renewed while the work runs and released when it ends, so a clean finish
   * frees it at once and a dead holder's lease lapses after `LEASE_TTL_MS`.
   */
  run<T>(name: string, work: (hold: LeaseHold) => Promise<T>): Promise<T | undefined>;
  /**
   * When the lease `name`, held by another owner, lapses (epoch ms, the store's clock);
   * undefined when nobody else holds it. A process that found it held tries again then,
   * rather than at its next poll, so a dead holder's work moves over within the TTL.
   */
  lapsesAt(name: string): Promise<number | undefined>;
}

export function createSingleton({ leases, logger, leaseOwner }: SingletonDeps): Singleton {
  return {
    async lapsesAt(name) {
      const lease = await leases.current(name);
      return lease && lease.owner !== leaseOwner ? lease.expiresAt : undefined;
    },

    async run(name, work) {
      let lease: Lease | undefined = await leases.acquire(name, leaseOwner, LEASE_TTL_MS);
      if (!lease) return undefined;
      let lost = false;
      const renewal = setInterval(() => {
        if (!lease || lost) return;
        leases.renew(lease, LEASE_TTL_MS).then(
          (renewed) => {
            if (renewed) lease = renewed;
            else {
              lost = true;
              logger.warn('lease lost while working', { lease: name });
            }
          },
          (error) => logger.warn('lease renewal failed', { lease: name, error }),
        );
      }, RENEW_EVERY_MS);
      renewal.unref?.();
      const token = lease.fence;
      try {
        return await work({ fence: { lease: name, token }, held: () => !lost });
      } finally {
        clearInterval(renewal);
        if (!lost && lease) await leases.release(lease).catch(() => undefined);
      }
    },
  };
}
