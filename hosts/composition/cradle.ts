import type { LocalRunner } from '../../adapters/runners/local/local.runner.js';
import type { GovernorRegistry } from '../../adapters/shared/request-governor.js';
import type { StorageAvailability } from '../../adapters/storage/storage-availability.js';
import type { JiraAdminService } from '../../adapters/ticketing/jira/jira-admin.service.js';
import type { LocalTrackerStore } from '../../adapters/ticketing/local/local-tracker.store.js';
import type { TrackerService } from '../../adapters/ticketing/local/tracker.service.js';
import type { DispatchService, RunEnvironmentBuilder } from '../../core/app/dispatch/dispatch.service.js';
import type { DispatchLogService } from '../../core/app/dispatch/dispatch-log.service.js';
import type { GapFillService } from '../../core/app/dispatch/gap-fill.service.js';
import type { ReconcileService } from '../../core/app/dispatch/reconcile.service.js';
import type { RunnerRegistry } from '../../core/app/dispatch/runner-registry.js';
import type { GithubIssuesWebhookService } from '../../core/app/issues/github-issues-webhook.service.js';
import type { IssueControlService } from '../../core/app/issues/issue-control.service.js';
import type { IssueEventLog, IssueOverridesStore } from '../../core/app/issues/issue-records.js';
import type { IssuesViewService } from '../../core/app/issues/issues-view.service.js';
import type { LinearWebhookService } from '../../core/app/issues/linear-webhook.service.js';
import type { TicketingRegistry } from '../../core/app/issues/ticketing-registry.js';
import type { AuditService } from '../../core/app/operations/audit.service.js';
import type { ConfigOverlayService } from '../../core/app/operations/config-overlay.service.js';
import type { ConfigStatusService } from '../../core/app/operations/config-status.service.js';
import type { ConnectorEventsService } from '../../core/app/operations/connector-events.service.js';
import type { ConnectorReplayService } from '../../core/app/operations/connector-replay.service.js';
import type { FlySessions } from '../../core/app/operations/fly-sessions.js';
import type { GitContextService } from '../../core/app/operations/git-context.service.js';
import type { MappingsService } from '../../core/app/operations/mappings.service.js';
import type { ModelsService } from '../../core/app/operations/models.service.js';
import type { DeliveryRound } from '../../core/app/operations/notification-delivery.js';
import type { NotificationsService } from '../../core/app/operations/notifications.service.js';
import type { PeriodicTask } from '../../core/app/operations/periodic-task.js';
import type { PromptTemplatesService } from '../../core/app/operations/prompt-templates.service.js';
import type { ReaperService } from '../../core/app/operations/reaper.service.js';
import type { RunnerModeService } from '../../core/app/operations/runner-mode.service.js';
import type { SecretsService } from '../../core/app/operations/secrets.service.js';
import type { SecurityEventsService } from '../../core/app/operations/security-events.service.js';
import type { SettingsService } from '../../core/app/operations/settings.service.js';
import type { Singleton } from '../../core/app/operations/singleton.js';
import type { TemplatesService } from '../../core/app/operations/templates.service.js';
import type { WorkspacesService } from '../../core/app/operations/workspaces.service.js';
import type { ForgeRegistry } from '../../core/app/pulls/forge-registry.js';
import type { GithubWebhookService } from '../../core/app/pulls/github-webhook.service.js';
import type { PullViewService } from '../../core/app/pulls/pull-view.service.js';
import type { PullsService } from '../../core/app/pulls/pulls.service.js';
import type { JobOutcomeService } from '../../core/app/runs/job-outcome.service.js';
import type { RepoTokenLeases } from '../../core/app/runs/repo-token-leases.js';
import type { RunCallbacksService } from '../../core/app/runs/run-callbacks.service.js';
import type { RunSecrets } from '../../core/app/runs/run-secrets.js';
import type { RunTokensService } from '../../core/app/runs/run-tokens.service.js';
import type { RunWatcherService } from '../../core/app/runs/run-watcher.service.js';
import type { SessionApiService } from '../../core/app/runs/session-api.service.js';
import type { SessionEnvHandOff } from '../../core/app/runs/session-env-handoff.service.js';
import type { SessionsService } from '../../core/app/runs/sessions.service.js';
import type { SteeringService } from '../../core/app/runs/steering.service.js';
import type { StepHistoryService } from '../../core/app/runs/step-history.service.js';
import type { UsageAccounting } from '../../core/app/usage/usage-accounting.service.js';
import type { UsageMetrics } from '../../core/app/usage/usage-metrics.js';
import type { UsageSettingsSource } from '../../core/app/usage/usage-settings.js';
import type { UsageViews } from '../../core/app/usage/usage-views.service.js';
import type { EventsService } from '../../core/app/views/events.service.js';
import type { MetricsService } from '../../core/app/views/metrics.service.js';
import type { StateService } from '../../core/app/views/state.service.js';
import type { Mapping, RunnerKind } from '../../core/domain/model.js';
import type { PluginCatalog } from '../../plugins/plugin-loader.js';
import type { Clock } from '../../ports/clock.port.js';
import type { ConfigCatalog } from '../../ports/config-catalog.port.js';
import type { ConnectionHealth } from '../../ports/connection-health.port.js';
import type { EventBus } from '../../ports/event-bus.port.js';
import type { Ids } from '../../ports/ids.port.js';
import type { Logger } from '../../ports/logger.port.js';
import type { ModelCatalog } from '../../ports/model-catalog.port.js';
import type { NotifierDirectory } from '../../ports/notifier.port.js';
import type { Secrets } from '../../ports/secrets.port.js';
import type { Signing } from '../../ports/signer.port.js';
import type { LeaseStore, Storage } from '../../ports/storage.port.js';
import type { TemplateEngine } from '../../ports/template-engine.port.js';
import type { WebhookVerifier } from '../../ports/webhook-verifier.port.js';
import type { WorkspacePool } from '../../ports/workspace-pool.port.js';
import type { Config } from '../config.js';
import type { Readiness } from '../readiness.js';
import type { SessionBundleSource } from '../session-bundle/session-bundle-source.js';
import type { OperationsMetrics } from './operations-metrics.js';

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
  /** Whether the store answers (watched on every operation), for /readyz and the 503s. */
  storageAvailability: StorageAvailability;
  /** What /readyz answers: the store answers and reconcile cycles complete. */
  readiness: Readiness;
  eventBus: EventBus;
  mappings: MappingsService;
  trackerStore: LocalTrackerStore;
  ticketingRegistry: TicketingRegistry;
  /** One request governor per outside connection (base URL + credential), shared by every adapter on it. */
  governors: GovernorRegistry;
  /** The governors' state, read-only, for the operator's views (the ConnectionHealth port). */
  connectionHealth: ConnectionHealth;
  runnerRegistry: RunnerRegistry;
  runnerFor: (mapping: Mapping) => Promise<RunnerKind>;
  /** This process's lease owner id (host and port: stable across a restart of the same node). */
  leaseOwner: string;
  leases: LeaseStore;
  /** Runs singleton tasks (reconcile, run watcher, reaper) under a lease across replicas. */
  singleton: Singleton;
  runEnvironment: RunEnvironmentBuilder;
  jobOutcome: JobOutcomeService;
  dispatcher: DispatchService;
  reconcile: ReconcileService;
  issuesView: IssuesViewService;
  dispatchLog: DispatchLogService;
  /** Checks Linear's webhook signatures (adapters/ticketing/linear). */
  linearWebhookVerifier: WebhookVerifier;
  linearWebhook: LinearWebhookService;
  tracker: TrackerService;
  jiraAdmin: JiraAdminService;
  /** HMAC signers by purpose, digests and constant-time comparison (the Signing port). */
  signing: Signing;
  runTokens: RunTokensService;
  forgeRegistry: ForgeRegistry;
  steering: SteeringService;
  /** Unsubscribes the retention listener that drops a pruned job's run records. */
  runRecordsJanitor: () => void;
  repoTokenLeases: RepoTokenLeases;
  stepHistory: StepHistoryService;
  runSecrets: RunSecrets;
  runCallbacks: RunCallbacksService;
  /** The session runtime GitHub Actions jobs download (`GET /runner/session-bundle`) and the templates pin. */
  sessionBundle: SessionBundleSource;
  sessionApi: SessionApiService;
  /** The team secrets and extraEnv a Fly session takes once (`GET /runner/session-env`), never from its machine config. */
  sessionEnvHandOff: SessionEnvHandOff;
  pulls: PullsService;
  /** The local forge's pull requests as their page shows them. */
  pullView: PullViewService;
  /** Checks GitHub's webhook signatures (adapters/forge/github). */
  githubWebhookVerifier: WebhookVerifier;
  githubWebhook: GithubWebhookService;
  githubIssuesWebhook: GithubIssuesWebhookService;
  gapFill: GapFillService;
  templates: TemplatesService;
  configStatus: ConfigStatusService;
  /** What config-status says of the agent sandbox on this machine (hosts/composition/agent-sandbox-status.ts). */
  agentSandboxStatus: () => { ok: boolean; detail: string };
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
  issueRunOverrides: (issueId: string, mappingTemplate?: string) => Promise<{ model?: string; template?: string }>;
  issueControl: IssueControlService;
  /** The rest of /api/v1 (v1-operations-registrations.ts). */
  configCatalog: ConfigCatalog;
  configOverlay: ConfigOverlayService;
  audit: AuditService;
  templateEngine: TemplateEngine;
  promptTemplates: PromptTemplatesService;
  modelCatalog: ModelCatalog;
  models: ModelsService;
  workspacePool: WorkspacePool;
  workspaces: WorkspacesService;
  /** The retention sweep of this node's workspaces (started with the core). */
  workspaceSweep: PeriodicTask<{ freed: string[]; freedBytes: number }>;
  /** Retries the tracker effects a tracker held back (issue-effects.ts). */
  heldEffectsRetry: PeriodicTask<number>;
  gitContext: GitContextService;
  /** The connector event log, its replay, security events and their counters (operations-events-registrations.ts). */
  connectorEvents: ConnectorEventsService;
  connectorReplay: ConnectorReplayService;
  securityEvents: SecurityEventsService;
  operationsMetrics: OperationsMetrics;
  /** Notifications (notifications-registrations.ts): channels, the queueing service, the delivery worker. */
  notifierDirectory: NotifierDirectory;
  notifications: NotificationsService;
  notificationWorker: PeriodicTask<DeliveryRound>;
  /** Unsubscribes the listener that queues notifications from bus events. */
  notificationsListener: () => void;
  /** Usage, spend and budgets (usage-registrations.ts). */
  usageSettings: UsageSettingsSource;
  usageMetrics: UsageMetrics;
  usageAccounting: UsageAccounting;
  usageViews: UsageViews;
}
