import type { H3 } from 'h3';
import type { LocalRunner } from '../adapters/runners/local/local.runner.js';
import type { LocalTrackerStore } from '../adapters/ticketing/local/local-tracker.store.js';
import type { Mapping, RunnerKind } from '../core/domain/model.js';
import type { PluginCatalog } from '../plugins/plugin-loader.js';
import type { Clock } from '../ports/clock.port.js';
import type { EventBus } from '../ports/event-bus.port.js';
import type { Ids } from '../ports/ids.port.js';
import type { Secrets } from '../ports/secrets.port.js';
import type { Storage } from '../ports/storage.port.js';
import type { Config } from './config.js';
import type { Logger } from './logger.js';
import type { AdminAuthService } from './services/admin-auth.service.js';
import type { ConfigStatusService } from './services/config-status.service.js';
import type { DispatchService, RunEnvironmentBuilder } from './services/dispatch.service.js';
import type { DispatchLogService } from './services/dispatch-log.service.js';
import type { EventsService } from './services/events.service.js';
import type { FlySessions } from './services/fly-sessions.js';
import type { ForgeRegistry } from './services/forge-registry.js';
import type { GapFillService } from './services/gap-fill.service.js';
import type { GithubWebhookService } from './services/github-webhook.service.js';
import type { IssueControlService } from './services/issue-control.service.js';
import type { IssueEventLog, IssueOverridesStore } from './services/issue-records.js';
import type { IssuesViewService } from './services/issues-view.service.js';
import type { JiraAdminService } from './services/jira-admin.service.js';
import type { JobOutcomeService } from './services/job-outcome.service.js';
import type { LinearWebhookService } from './services/linear-webhook.service.js';
import type { MappingsService } from './services/mappings.service.js';
import type { MetricsService } from './services/metrics.service.js';
import type { PullsService } from './services/pulls.service.js';
import type { ReaperService } from './services/reaper.service.js';
import type { ReconcileService } from './services/reconcile.service.js';
import type { RunCallbacksService } from './services/run-callbacks.service.js';
import type { RunSecrets } from './services/run-secrets.js';
import type { RunTokensService } from './services/run-tokens.service.js';
import type { RunWatcherService } from './services/run-watcher.service.js';
import type { RunnerModeService } from './services/runner-mode.service.js';
import type { RunnerRegistry } from './services/runner-registry.js';
import type { SecretsService } from './services/secrets.service.js';
import type { SessionApiService } from './services/session-api.service.js';
import type { SessionsService } from './services/sessions.service.js';
import type { SettingsService } from './services/settings.service.js';
import type { StateService } from './services/state.service.js';
import type { SteeringService } from './services/steering.service.js';
import type { StepHistoryService } from './services/step-history.service.js';
import type { TemplatesService } from './services/templates.service.js';
import type { TicketingRegistry } from './services/ticketing-registry.js';
import type { TrackerService } from './services/tracker.service.js';

/**
 * Everything the container can resolve. Add a key here when registering a new service in
 * hosts/container.ts; route modules and services name the keys they need in their own
 * `XDeps` type instead of taking the whole cradle.
 */
export interface OrchestratorCradle {
  config: Config;
  clock: Clock;
  ids: Ids;
  logger: Logger;
  storage: Storage;
  eventBus: EventBus;
  adminAuth: AdminAuthService;
  mappings: MappingsService;
  httpApp: H3;
  trackerStore: LocalTrackerStore;
  ticketingRegistry: TicketingRegistry;
  runnerRegistry: RunnerRegistry;
  runnerFor: (mapping: Mapping) => Promise<RunnerKind>;
  runEnvironment: RunEnvironmentBuilder;
  jobOutcome: JobOutcomeService;
  dispatcher: DispatchService;
  reconcile: ReconcileService;
  issuesView: IssuesViewService;
  dispatchLog: DispatchLogService;
  linearWebhook: LinearWebhookService;
  tracker: TrackerService;
  jiraAdmin: JiraAdminService;
  runTokens: RunTokensService;
  forgeRegistry: ForgeRegistry;
  steering: SteeringService;
  /** Unsubscribes the retention listener that drops a pruned job's run records. */
  runRecordsJanitor: () => void;
  stepHistory: StepHistoryService;
  runSecrets: RunSecrets;
  runCallbacks: RunCallbacksService;
  sessionApi: SessionApiService;
  pulls: PullsService;
  githubWebhook: GithubWebhookService;
  gapFill: GapFillService;
  templates: TemplatesService;
  configStatus: ConfigStatusService;
  settings: SettingsService;
  runnerMode: RunnerModeService;
  flySessions: FlySessions;
  localRunner: LocalRunner;
  /** The local secret store (encrypted at rest), behind `/api/v1/secrets`. */
  secrets: Secrets;
  secretsService: SecretsService;
  /** A mapping's team-prefixed secrets for a session's environment (for the runEnvironment builder). */
  sessionSecrets: SecretsService['sessionSecrets'];
  sessions: SessionsService;
  runWatcher: RunWatcherService;
  reaper: ReaperService;
  /** The custom/ directory pipelines and steps are loaded from (overridable for tests). */
  customDir: string;
  pluginCatalog: PluginCatalog;
  /** /api/v1/state and /api/v1/runtime, the SSE stream and /metrics (v1-registrations.ts). */
  stateView: StateService;
  eventStream: EventsService;
  metrics: MetricsService;
  /** Issue control of the v1 API (issue-control-registrations.ts). */
  issueOverrides: IssueOverridesStore;
  issueEvents: IssueEventLog;
  issueRunOverrides: (issueId: string) => Promise<{ model?: string; template?: string }>;
  issueControl: IssueControlService;
}
