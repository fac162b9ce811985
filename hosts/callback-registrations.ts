import { type AwilixContainer, asFunction } from 'awilix';
import { createHmacSigning } from '../adapters/system/hmac-signer.adapter.js';
import { createRunEnvironment } from '../core/app/dispatch/run-environment.js';
import { createRunCallbacksService } from '../core/app/runs/run-callbacks.service.js';
import { createRunSecrets } from '../core/app/runs/run-secrets.js';
import { createRunTokensService } from '../core/app/runs/run-tokens.service.js';
import { createSessionApiService } from '../core/app/runs/session-api.service.js';
import { createSteeringService } from '../core/app/runs/steering.service.js';
import { createStepHistoryService } from '../core/app/runs/step-history.service.js';
import type { Secrets } from '../ports/secrets.port.js';
import { forgesFromConfig } from './composition/forges.js';
import type { OrchestratorCradle } from './cradle.js';

type Cradle = OrchestratorCradle;

/**
 * The callback side of a run: the credentials minted at dispatch and the session's
 * environment, the forges, and the services behind /runner/*, /api/token, /api/status,
 * /api/step-report and /api/jobs/:jobId/steps.
 */
export function registerCallbacks(container: AwilixContainer<Cradle>): void {
  container.register({
    signing: asFunction(createHmacSigning).singleton(),
    runTokens: asFunction(createRunTokensService).singleton(),
    runEnvironment: asFunction(createRunEnvironment).singleton(),
    forgeRegistry: asFunction(({ config, clock, logger }: Pick<Cradle, 'config' | 'clock' | 'logger'>) =>
      forgesFromConfig({ config, clock, logger }),
    ).singleton(),
    steering: asFunction(createSteeringService).singleton(),
    // Retention: a job pruned by the reconcile loop takes its credentials and steering queue with it.
    runRecordsJanitor: asFunction(
      ({
        eventBus,
        runTokens,
        steering,
        stepHistory,
        logger,
      }: Pick<Cradle, 'eventBus' | 'runTokens' | 'steering' | 'stepHistory' | 'logger'>) =>
        eventBus.subscribe((event) => {
          if (event.type !== 'job.pruned' || !event.jobId) return;
          const jobId = event.jobId;
          void Promise.all([runTokens.forget(jobId), steering.forget(jobId), stepHistory.forget(jobId)]).catch((error) =>
            logger.warn("could not drop a pruned job's run records", { jobId, error }),
          );
        }),
    )
      .singleton()
      .disposer((unsubscribe) => unsubscribe()),
    stepHistory: asFunction(createStepHistoryService).singleton(),
    runSecrets: asFunction(({ config, clock, storage, runTokens }: Pick<Cradle, 'config' | 'clock' | 'storage' | 'runTokens'>) =>
      createRunSecrets({
        config,
        clock,
        storage,
        runTokens,
        // A Secrets store, once one is registered, holds values a session may have received.
        storedSecretValues: async () => {
          if (!container.hasRegistration('secrets')) return [];
          const secrets = (container as AwilixContainer).resolve<Secrets>('secrets');
          const names = await secrets.list();
          if (names.isErr()) return [];
          const revealed = await secrets.reveal(names.value);
          return revealed.isOk() ? Object.values(revealed.value) : [];
        },
      }),
    ).singleton(),
    runCallbacks: asFunction(createRunCallbacksService).singleton(),
    sessionApi: asFunction(createSessionApiService).singleton(),
  });
}
