import { type AwilixContainer, asFunction } from 'awilix';
import { isFlyAppSecretReference } from '../../adapters/secrets/fly/fly-secret-reference.js';
import { createHmacSigning } from '../../adapters/system/hmac-signer.adapter.js';
import { createRunEnvironment } from '../../core/app/dispatch/run-environment.js';
import { createRepoTokenLeases } from '../../core/app/runs/repo-token-leases.js';
import { createRunCallbacksService } from '../../core/app/runs/run-callbacks.service.js';
import { createRunRecordsJanitor } from '../../core/app/runs/run-records-janitor.js';
import { createRunSecrets, revealAll } from '../../core/app/runs/run-secrets.js';
import { createRunTokensService } from '../../core/app/runs/run-tokens.service.js';
import { createSessionApiService } from '../../core/app/runs/session-api.service.js';
import { createSessionEnvHandOff } from '../../core/app/runs/session-env-handoff.service.js';
import { createSteeringService } from '../../core/app/runs/steering.service.js';
import { createStepHistoryService } from '../../core/app/runs/step-history.service.js';
import { createSessionBundleSource } from '../session-bundle/session-bundle-source.js';
import type { OrchestratorCradle } from './cradle.js';
import { forgesFromConfig } from './forges.js';

type Cradle = OrchestratorCradle;

/**
 * The callback side of a run: the credentials minted at dispatch and the session's
 * environment, the forges, and the services behind /runner/*, /api/token, /api/status,
 * /api/step-report and /api/jobs/:jobId/steps, and the Fly session's one-time environment
 * (`/runner/session-env`).
 */
export function registerCallbacks(container: AwilixContainer<Cradle>): void {
  container.register({
    signing: asFunction(createHmacSigning).singleton(),
    runTokens: asFunction(createRunTokensService).singleton(),
    runEnvironment: asFunction(createRunEnvironment).singleton(),
    forgeRegistry: asFunction(({ config, clock, logger, governors }: Pick<Cradle, 'config' | 'clock' | 'logger' | 'governors'>) =>
      forgesFromConfig({ config, clock, logger, governors }),
    ).singleton(),
    steering: asFunction(createSteeringService).singleton(),
    runRecordsJanitor: asFunction(createRunRecordsJanitor)
      .singleton()
      .disposer((unsubscribe) => unsubscribe()),
    stepHistory: asFunction(createStepHistoryService).singleton(),
    runSecrets: asFunction(
      ({ config, clock, storage, runTokens, secrets }: Pick<Cradle, 'config' | 'clock' | 'storage' | 'runTokens' | 'secrets'>) =>
        createRunSecrets({ config, clock, storage, runTokens, storedSecretValues: () => revealAll(secrets) }),
    ).singleton(),
    runCallbacks: asFunction(createRunCallbacksService).singleton(),
    repoTokenLeases: asFunction(createRepoTokenLeases)
      .singleton()
      .disposer((leases) => leases.stop()),
    sessionApi: asFunction(createSessionApiService).singleton(),
    // A Fly app secret's reference is left out: the machine gets the app's own value from Fly.
    sessionEnvHandOff: asFunction(
      ({
        storage,
        clock,
        logger,
        signing,
        sessionSecrets,
      }: Pick<Cradle, 'storage' | 'clock' | 'logger' | 'signing' | 'sessionSecrets'>) =>
        createSessionEnvHandOff({
          storage,
          clock,
          logger,
          signing,
          sessionSecrets: async (mapping, runner) =>
            Object.fromEntries(
              Object.entries(await sessionSecrets(mapping, runner)).filter(
                ([name, value]) => !isFlyAppSecretReference(name, value),
              ),
            ),
        }),
    ).singleton(),
    sessionBundle: asFunction(({ logger }: Pick<Cradle, 'logger'>) =>
      createSessionBundleSource({ onProblem: (message) => logger.warn(message) }),
    ).singleton(),
  });
}
