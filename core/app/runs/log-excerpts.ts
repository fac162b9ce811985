import type { Clock } from '../../../ports/clock.port.js';
import type { Logger } from '../../../ports/logger.port.js';
import type { Storage } from '../../../ports/storage.port.js';
import { type LogLabel, logExcerptComment } from '../../domain/comments.js';
import type { Job } from '../../domain/model.js';
import type { TicketingRegistry } from '../issues/ticketing-registry.js';
import type { RunSecrets } from './run-secrets.js';

export interface LogExcerptsDeps {
  storage: Storage;
  clock: Clock;
  logger: Logger;
  ticketingRegistry: TicketingRegistry;
  runSecrets: RunSecrets;
}

/** Posts a labelled, redacted excerpt of a run's log on its ticket (a run that ended badly). */
export type PostLogExcerpt = (job: Job, label: LogLabel, log: string) => Promise<void>;

export function createLogExcerptPoster({
  storage,
  clock,
  logger,
  ticketingRegistry,
  runSecrets,
}: LogExcerptsDeps): PostLogExcerpt {
  return async (job, label, log) => {
    const mapping = await storage.mappings.get(job.teamKey);
    const ticketing = mapping ? ticketingRegistry.get(mapping.ticketing) : undefined;
    if (!ticketing) return;
    const secretValues = await runSecrets.valuesFor(job);
    const at = new Date(clock.now()).toISOString();
    const posted = await ticketing.comment(job.issueId, logExcerptComment({ label, log, secretValues, at }));
    if (posted.isErr()) logger.warn('log excerpt not posted', { jobId: job.id, error: posted.error.message });
  };
}
