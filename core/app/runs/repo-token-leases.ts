import type { EventBus } from '../../../ports/event-bus.port.js';
import type { RepoTokenAccess } from '../../../ports/forge.port.js';
import type { Logger } from '../../../ports/logger.port.js';
import { isTerminal } from '../../domain/job-status.js';
import type { ForgeKind, JobStatus, Phase } from '../../domain/model.js';
import type { ForgeRegistry } from '../pulls/forge-registry.js';

/** The least a phase's session does with its repository: only the implementation pushes and opens a pull request. */
export function repoTokenAccess(phase: Phase): RepoTokenAccess {
  return phase === 'implementation' ? 'write' : 'read';
}

export interface RepoTokenLeasesDeps {
  eventBus: EventBus;
  forgeRegistry: ForgeRegistry;
  logger: Logger;
}

export interface RepoTokenLeases {
  /** Keeps a repository token minted for a job's session, to revoke it when the job ends. */
  hold(jobId: string, forge: ForgeKind, token: string): void;
  /** Revokes every token held for the job; what a terminal job event does. */
  release(jobId: string): Promise<void>;
  /** Stops listening (the container's disposer). */
  stop(): void;
}

/**
 * Repository tokens die with their job: each one `/api/token` minted is held here (in memory,
 * never in the store) and revoked at the forge as soon as its job reaches a terminal status.
 * A token of a process that stopped before its job ended still expires on its own (an hour).
 */
export function createRepoTokenLeases({ eventBus, forgeRegistry, logger }: RepoTokenLeasesDeps): RepoTokenLeases {
  const held = new Map<string, Array<{ forge: ForgeKind; token: string }>>();

  const release = async (jobId: string) => {
    const tokens = held.get(jobId);
    held.delete(jobId);
    for (const { forge, token } of tokens ?? []) {
      const revoked = await (forgeRegistry.get(forge)?.revokeRepoToken(token) ?? Promise.resolve(undefined));
      if (revoked?.isErr()) logger.warn('could not revoke a repository token', { jobId, forge, error: revoked.error.message });
      else logger.info('repository token revoked', { jobId, forge });
    }
  };

  const unsubscribe = eventBus.subscribe((event) => {
    if (!event.type.startsWith('job.') || !event.jobId || !held.has(event.jobId)) return;
    if (isTerminal(event.type.slice('job.'.length) as JobStatus)) void release(event.jobId);
  });

  return {
    hold(jobId, forge, token) {
      held.set(jobId, [...(held.get(jobId) ?? []), { forge, token }]);
    },
    release,
    stop: unsubscribe,
  };
}
