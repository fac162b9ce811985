import { type AwilixContainer, asFunction } from 'awilix';
import { createGovernorRegistry } from '../../adapters/shared/request-governor.js';
import { UNATTENDED_RETRY } from '../../adapters/shared/retry.js';
import { createGithubTicketing } from '../../adapters/ticketing/github/github-issues.adapter.js';
import { createJiraTicketing } from '../../adapters/ticketing/jira/jira.adapter.js';
import { createJiraAdminService } from '../../adapters/ticketing/jira/jira-admin.service.js';
import { createLinearTicketing } from '../../adapters/ticketing/linear/linear.adapter.js';
import { createLinearWebhookVerifier } from '../../adapters/ticketing/linear/linear-webhook.verifier.js';
import { createLocalTicketing } from '../../adapters/ticketing/local/local.adapter.js';
import { createLocalTrackerStore } from '../../adapters/ticketing/local/local-tracker.store.js';
import { createTrackerService } from '../../adapters/ticketing/local/tracker.service.js';
import { createDispatchService } from '../../core/app/dispatch/dispatch.service.js';
import { createDispatchLogService } from '../../core/app/dispatch/dispatch-log.service.js';
import { createReconcileService, fetchDeadlineFor } from '../../core/app/dispatch/reconcile.service.js';
import { createIssuesViewService, VIEW_WAIT_MARGIN_MS } from '../../core/app/issues/issues-view.service.js';
import { createLinearWebhookService } from '../../core/app/issues/linear-webhook.service.js';
import { createTicketingRegistry } from '../../core/app/issues/ticketing-registry.js';
import { recordingTicketing } from '../../core/app/operations/outbound-recording.js';
import { createPeriodicTask } from '../../core/app/operations/periodic-task.js';
import { createSingleton } from '../../core/app/operations/singleton.js';
import { createJobOutcomeService } from '../../core/app/runs/job-outcome.service.js';
import type { TicketingKind } from '../../core/domain/model.js';
import type { Ticketing } from '../../ports/ticketing.port.js';
import { secretValues } from '../logger.js';
import type { OrchestratorCradle } from './cradle.js';
import { githubAuthFrom, githubCredential } from './forges.js';

type Cradle = OrchestratorCradle;

/** How often held-back tracker effects are looked at (each has its own backoff, from 30 s). */
export const HELD_EFFECTS_POLL_MS = 10_000;

/**
 * The work side of the container: trackers, runners, the reconcile loop and the services
 * behind the Issues, Blockers, log and tracker routes. Each adapter is built only when its
 * connection is configured; the embedded tracker and the shadow runner always are.
 */
export function registerWork(container: AwilixContainer<Cradle>): void {
  container.register({
    trackerStore: asFunction(createLocalTrackerStore).singleton(),

    // The clock's time, so a manual clock in tests moves the windows too.
    // Its signals (a circuit opened, a credential refused) go on the bus, for notifications.
    governors: asFunction(({ clock, eventBus }: Pick<Cradle, 'clock' | 'eventBus'>) =>
      createGovernorRegistry({
        now: () => clock.now(),
        onSignal: (signal) =>
          eventBus.publish({
            type: signal.kind === 'circuitOpened' ? 'connector.circuit_opened' : 'connector.credential_refused',
            at: signal.at,
            message: signal.message,
            data: { service: signal.service, connectionId: signal.connectionId, baseUrl: signal.baseUrl },
          }),
      }),
    ).singleton(),
    connectionHealth: asFunction(({ governors }: Pick<Cradle, 'governors'>) => governors).singleton(),

    ticketingRegistry: asFunction(
      ({
        config,
        trackerStore,
        governors,
        clock,
        storage,
        logger,
        connectorEvents,
      }: Pick<Cradle, 'config' | 'trackerStore' | 'governors' | 'clock' | 'storage' | 'logger' | 'connectorEvents'>) => {
        const adapters: Partial<Record<TicketingKind, Ticketing>> = {
          local: createLocalTicketing({ store: trackerStore, publicUrl: config.publicUrl }),
        };
        if (config.linearApiKey) {
          const connection = { service: 'linear', baseUrl: config.linearApiUrl, credential: config.linearApiKey };
          adapters.linear = createLinearTicketing({
            apiKey: config.linearApiKey,
            apiUrl: config.linearApiUrl,
            now: () => clock.now(),
            retry: UNATTENDED_RETRY,
            governor: governors.forConnection(connection),
          });
        }
        const jira = jiraConnection(config, governors);
        if (jira) adapters.jira = createJiraTicketing(jira);
        // GitHub Issues rides on the forge's credentials and governor: one GitHub budget.
        const github = githubAuthFrom(config);
        if (github) {
          const connection = { service: 'github', baseUrl: config.githubApiUrl, credential: githubCredential(github) };
          adapters.github = createGithubTicketing({
            baseUrl: config.githubApiUrl,
            auth: github,
            retry: UNATTENDED_RETRY,
            now: () => clock.now(),
            governor: governors.forConnection(connection),
            mappings: () => storage.mappings.list(),
            warn: (message) => logger.warn(message, { ticketing: 'github' }),
          });
        }
        // Failed comments and moves show in the connector event log with their retry state.
        const recorded = Object.fromEntries(
          Object.entries(adapters).map(([kind, t]) => [
            kind,
            recordingTicketing(kind as TicketingKind, t, connectorEvents.recordOutbound),
          ]),
        );
        return createTicketingRegistry(recorded);
      },
    ).singleton(),

    // runnerRegistry (shadow, local, github-actions, fly-machines) is registered by runner-registrations.ts.
    runnerFor: asFunction(({ runnerMode }: Pick<Cradle, 'runnerMode'>) => runnerMode.runnerFor).singleton(),
    // runEnvironment (tokens, nonce, caps) is registered by callback-registrations.ts.
    jobOutcome: asFunction(createJobOutcomeService).singleton(),
    // Held-back tracker effects (a rate-limited comment, a stage move on a tracker that was down): one replica retries them.
    heldEffectsRetry: asFunction(({ jobOutcome, logger, singleton }: Pick<Cradle, 'jobOutcome' | 'logger' | 'singleton'>) =>
      createPeriodicTask('tracker effects retry', () => jobOutcome.retryHeldEffects(), logger, {
        singleton,
        name: 'tracker-effects',
      }),
    )
      .singleton()
      .disposer((task) => task.stop()),
    singleton: asFunction(createSingleton).singleton(),
    leases: asFunction(({ storage }: Pick<Cradle, 'storage'>) => storage.leases).singleton(),
    dispatcher: asFunction(createDispatchService).singleton(),
    reconcile: asFunction((c: Cradle) =>
      createReconcileService({
        storage: c.storage,
        clock: c.clock,
        logger: c.logger,
        eventBus: c.eventBus,
        ticketingRegistry: c.ticketingRegistry,
        dispatcher: c.dispatcher,
        singleton: c.singleton,
        fetchDeadlineMs: fetchDeadlineFor(c.config.pollIntervalMs),
        dailySpend: (now) => c.usageAccounting.dailySpend(now),
      }),
    )
      .singleton()
      .disposer((reconcile) => reconcile.stop()),
    issuesView: asFunction(({ storage, reconcile, config }: Pick<Cradle, 'storage' | 'reconcile' | 'config'>) => {
      const secrets = secretValues(config);
      return createIssuesViewService({
        storage,
        reconcile,
        // The cycle's fetch deadline, and a margin for the rest of the cycle.
        waitMs: fetchDeadlineFor(config.pollIntervalMs) + VIEW_WAIT_MARGIN_MS,
        secretValues: () => secrets,
      });
    }).singleton(),
    dispatchLog: asFunction(createDispatchLogService).singleton(),
    linearWebhookVerifier: asFunction(createLinearWebhookVerifier).singleton(),
    linearWebhook: asFunction(createLinearWebhookService).singleton(),
    tracker: asFunction(createTrackerService).singleton(),
    jiraAdmin: asFunction(({ config, governors }: Pick<Cradle, 'config' | 'governors'>) =>
      createJiraAdminService({ jira: jiraConnection(config, governors) }),
    ).singleton(),
  });
}

/** Jira's connection from config, with its governor (the site and account: one budget). */
function jiraConnection(config: Cradle['config'], governors: Cradle['governors']) {
  if (!config.jiraHost || !config.jiraEmail || !config.jiraApiToken) return undefined;
  const credential = `${config.jiraEmail}:${config.jiraApiToken}`;
  return {
    host: config.jiraHost,
    email: config.jiraEmail,
    apiToken: config.jiraApiToken,
    retry: UNATTENDED_RETRY,
    governor: governors.forConnection({ service: 'jira', baseUrl: config.jiraHost, credential }),
  };
}
