import type { EventBus } from '../../../ports/event-bus.port.js';
import type { Logger } from '../../../ports/logger.port.js';
import type { RunTokensService } from './run-tokens.service.js';
import type { SessionEnvHandOff } from './session-env-handoff.service.js';
import type { SteeringService } from './steering.service.js';
import type { StepHistoryService } from './step-history.service.js';

export interface RunRecordsJanitorDeps {
  eventBus: EventBus;
  runTokens: Pick<RunTokensService, 'forget'>;
  steering: Pick<SteeringService, 'forget'>;
  stepHistory: Pick<StepHistoryService, 'forget'>;
  sessionEnvHandOff: Pick<SessionEnvHandOff, 'forget'>;
  logger: Logger;
}

/**
 * Retention's second half: a job pruned by the reconcile cycle (`job.pruned`) takes its run
 * credentials, steering queue, step history and session-env taker with it. Returns the unsubscribe.
 */
export function createRunRecordsJanitor({
  eventBus,
  runTokens,
  steering,
  stepHistory,
  sessionEnvHandOff,
  logger,
}: RunRecordsJanitorDeps) {
  return eventBus.subscribe((event) => {
    if (event.type !== 'job.pruned' || !event.jobId) return;
    const jobId = event.jobId;
    void Promise.all([
      runTokens.forget(jobId),
      steering.forget(jobId),
      stepHistory.forget(jobId),
      sessionEnvHandOff.forget(jobId),
    ]).catch((error) => logger.warn("could not drop a pruned job's run records", { jobId, error }));
  });
}
