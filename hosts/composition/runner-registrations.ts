import { type AwilixContainer, asFunction } from 'awilix';
import { createGithubActionsRunner } from '../../adapters/runners/github-actions/github-actions.runner.js';
import { createAutoLocalRunner, SESSION_IMAGE_NAME } from '../../adapters/runners/local/auto-local.runner.js';
import { reportExits, sessionHostEnv } from '../../adapters/runners/local/local.runner.js';
import { createShadowRunner } from '../../adapters/runners/shadow/shadow.runner.js';
import { UNATTENDED_RETRY } from '../../adapters/shared/retry.js';
import { createRunnerRegistry, RUNNER_TOKEN_SECRET_REQUIRED } from '../../core/app/dispatch/runner-registry.js';
import { createLazyFlyRunner } from '../../core/app/operations/fly-sessions.js';
import { recordingRunner } from '../../core/app/operations/outbound-recording.js';
import { createReaperService } from '../../core/app/operations/reaper.service.js';
import { createRunnerModeService } from '../../core/app/operations/runner-mode.service.js';
import { createSecretsService, unconfiguredSecrets } from '../../core/app/operations/secrets.service.js';
import { createSettingsService } from '../../core/app/operations/settings.service.js';
import { createLogExcerptPoster } from '../../core/app/runs/log-excerpt.js';
import { createRunWatcherService } from '../../core/app/runs/run-watcher.service.js';
import { createSessionsService } from '../../core/app/runs/sessions.service.js';
import type { RunnerKind } from '../../core/domain/model.js';
import { WORKFLOW_INPUTS } from '../../plugins/workflow-templates/workflow-templates.js';
import type { Runner } from '../../ports/runner.port.js';
import { PACKAGE_ROOT, packageVersion, sessionEntryCommand } from '../package-layout.js';
import type { OrchestratorCradle } from './cradle.js';
import { createFlySessions } from './fly-sessions.js';
import { createConfiguredLocalSecrets } from './local-secrets.js';

type Cradle = OrchestratorCradle;

/**
 * The runner side of the container: which runners exist, the runner-mode override and the
 * settings, Fly sessions, secrets, the run watcher and the reaper.
 *
 * Runners: `shadow` always; with RUNNER_TOKEN_SECRET, `local`; `github-actions` when GitHub credentials are set;
 * `fly-machines` when `FLY_API_TOKEN` is set — it answers "Fly sessions config not set" until a
 * sessions app is set too (`FLY_SESSIONS_APP`, or the stored `flySessionsApp`, read on each use).
 *
 * The local secret store opens with `RUNNER_TOKEN_SECRET` or `ADMIN_ACCESS_CODE` (local-secrets.ts).
 */
export function registerRunners(container: AwilixContainer<Cradle>): void {
  container.register({
    settings: asFunction(createSettingsService).singleton(),
    runnerMode: asFunction(createRunnerModeService).singleton(),
    flySessions: asFunction(
      ({ config, settings, logger, governors }: Pick<Cradle, 'config' | 'settings' | 'logger' | 'governors'>) =>
        createFlySessions({
          config,
          settings,
          governors,
          // A Fly wait longer than 5 s is returned, not slept through: the governor keeps the window.
          retry: UNATTENDED_RETRY,
          version: packageVersion(),
          log: (entry) => logger.info(`fly: ${entry.event}`, { ...entry }),
        }),
    ).singleton(),

    localRunner: asFunction(({ config, clock, eventBus }: Pick<Cradle, 'config' | 'clock' | 'eventBus'>) =>
      createAutoLocalRunner({
        // The package's own session entry, compiled or from source, run in the package's root.
        cwd: PACKAGE_ROOT,
        command: sessionEntryCommand(),
        // In container mode: this package's image at this package's version (the Dockerfile).
        image: `${SESSION_IMAGE_NAME}:${packageVersion()}`,
        // Sessions run in the checkout, not the orchestrator's working directory: hand them
        // the resolved CUSTOM_DIR, so they load the same custom steps the orchestrator checked.
        baseEnv: { ...sessionHostEnv(process.env), AI_IMPLEMENT_CUSTOM_DIR: config.customDir },
        // A container does not share the host network: a loopback PUBLIC_URL means process sessions.
        callbackUrl: config.publicUrl,
        // The run watcher listens: it depends on the registry, which holds this runner.
        onExit: reportExits((jobId, seen) => eventBus.publish({ type: 'run.observed', at: clock.now(), jobId, data: seen })),
      }),
    )
      .singleton()
      .disposer((runner) => runner.close()),

    runnerRegistry: asFunction(
      ({
        config,
        logger,
        localRunner,
        flySessions,
        forgeRegistry,
        connectorEvents,
      }: Pick<Cradle, 'config' | 'logger' | 'localRunner' | 'flySessions' | 'forgeRegistry' | 'connectorEvents'>) => {
        const shadow = createShadowRunner({ record: (entry) => logger.info(entry.message, { dryRun: true, shadow: entry }) });
        // A run reports back with tokens RUNNER_TOKEN_SECRET signs: without it only shadow runs.
        if (!config.runnerTokenSecret) return createRunnerRegistry({ shadow }, RUNNER_TOKEN_SECRET_REQUIRED);
        const runners: Partial<Record<RunnerKind, Runner>> = { shadow, local: localRunner };
        const github = forgeRegistry.get('github');
        if (github) {
          runners['github-actions'] = createGithubActionsRunner({
            forge: github,
            inputNames: WORKFLOW_INPUTS,
            // A dispatch whose answer was lost is the operator's to know about: the watcher decides it.
            log: (entry) =>
              entry.event === 'workflow.dispatch-unconfirmed'
                ? logger.warn(`github-actions: ${entry.event}`, { ...entry })
                : logger.info(`github-actions: ${entry.event}`, { ...entry }),
          });
        }
        if (config.flyApiToken) runners['fly-machines'] = createLazyFlyRunner(flySessions);
        // Failed launches (workflow dispatches, machine starts) show in the connector event log.
        for (const [kind, runner] of Object.entries(runners)) {
          runners[kind as RunnerKind] = recordingRunner(kind as RunnerKind, runner, connectorEvents.recordOutbound);
        }
        return createRunnerRegistry(runners);
      },
    ).singleton(),

    secrets: asFunction(({ config, storage }: Pick<Cradle, 'config' | 'storage'>) => {
      return (
        createConfiguredLocalSecrets(config, storage) ??
        unconfiguredSecrets('Local secrets need RUNNER_TOKEN_SECRET or ADMIN_ACCESS_CODE')
      );
    }).singleton(),
    secretsService: asFunction(
      ({
        storage,
        logger,
        flySessions,
        secrets,
        audit,
      }: Pick<Cradle, 'storage' | 'logger' | 'flySessions' | 'secrets' | 'audit'>) =>
        createSecretsService({
          storage,
          logger,
          flySecrets: () => flySessions.secrets(),
          flyOperatorSecrets: () => flySessions.operatorSecrets(),
          localSecrets: secrets,
          audit,
        }),
    ).singleton(),
    sessionSecrets: asFunction(({ secretsService }: Pick<Cradle, 'secretsService'>) => secretsService.sessionSecrets).singleton(),

    sessions: asFunction(
      ({
        storage,
        clock,
        logger,
        ticketingRegistry,
        jobOutcome,
        flySessions,
        audit,
      }: Pick<Cradle, 'storage' | 'clock' | 'logger' | 'ticketingRegistry' | 'jobOutcome' | 'flySessions' | 'audit'>) =>
        createSessionsService({
          storage,
          clock,
          logger,
          ticketingRegistry,
          jobOutcome,
          flyRunner: () => flySessions.operatorRunner(),
          audit,
        }),
    ).singleton(),

    runWatcher: asFunction(
      ({
        storage,
        clock,
        logger,
        runnerRegistry,
        jobOutcome,
        runSecrets,
        ticketingRegistry,
        singleton,
        eventBus,
      }: Pick<
        Cradle,
        | 'storage'
        | 'clock'
        | 'logger'
        | 'runnerRegistry'
        | 'jobOutcome'
        | 'runSecrets'
        | 'ticketingRegistry'
        | 'singleton'
        | 'eventBus'
      >) =>
        createRunWatcherService({
          singleton,
          eventBus,
          storage,
          clock,
          logger,
          runnerRegistry,
          jobOutcome,
          postLogExcerpt: createLogExcerptPoster({ storage, clock, logger, ticketingRegistry, runSecrets }),
        }),
    )
      .singleton()
      .disposer((watcher) => watcher.stop()),

    reaper: asFunction(
      ({
        storage,
        clock,
        logger,
        runnerRegistry,
        ticketingRegistry,
        jobOutcome,
        runnerMode,
        singleton,
        eventBus,
      }: Pick<
        Cradle,
        | 'storage'
        | 'clock'
        | 'logger'
        | 'runnerRegistry'
        | 'ticketingRegistry'
        | 'jobOutcome'
        | 'runnerMode'
        | 'singleton'
        | 'eventBus'
      >) =>
        createReaperService({
          storage,
          clock,
          logger,
          runnerRegistry,
          ticketingRegistry,
          jobOutcome,
          runnerMode,
          singleton,
          eventBus,
        }),
    )
      .singleton()
      .disposer((reaper) => reaper.stop()),
  });
}
