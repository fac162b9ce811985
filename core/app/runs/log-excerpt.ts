import type { Clock } from '../../../ports/clock.port.js';
import type { Logger } from '../../../ports/logger.port.js';
import type { Storage } from '../../../ports/storage.port.js';
import { type LogLabel, logExcerptComment } from '../../domain/comments.js';
import type { Job } from '../../domain/model.js';
import { type TicketingRegistry, ticketingFor } from '../issues/ticketing-registry.js';
import type { RunSecrets } from './run-secrets.js';

export interface LogExcerptDeps {
  storage: Pick<Storage, 'mappings'>;
  clock: Clock;
  logger: Logger;
  ticketingRegistry: Pick<TicketingRegistry, 'get'>;
  runSecrets: Pick<RunSecrets, 'valuesFor'>;
}

/** Posts a run's log tail on its ticket under a label (spec "Log label"). */
export type PostLogExcerpt = (job: Job, label: LogLabel, log: string) => Promise<void>;

/**
 * The labelled log excerpt of a failed or timed-out run, on its ticket. Every secret the run
 * could have seen (the orchestrator's, the run's credentials, the mapping's extraEnv, stored
 * secrets) is redacted first; a ticket that cannot be reached is logged, never thrown.
 */
export function createLogExcerptPoster({
  storage,
  clock,
  logger,
  ticketingRegistry,
  runSecrets,
}: LogExcerptDeps): PostLogExcerpt {
  return async (job, label, log) => {
    const ticketing = (await ticketingFor(storage, ticketingRegistry, job))?.ticketing;
    if (!ticketing) return;
    const secretValues = await runSecrets.valuesFor(job);
    const at = new Date(clock.now()).toISOString();
    const posted = await ticketing.comment(job.issueId, logExcerptComment({ label, log, secretValues, at }));
    if (posted.isErr()) logger.warn('log excerpt not posted', { jobId: job.id, error: posted.error.message });
  };
}
