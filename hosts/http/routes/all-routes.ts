import type { RouteDefinition } from '../route.js';
import { type AdminPageDeps, adminPageRoutes } from './admin-page.routes.js';
import { type AuthRoutesDeps, authRoutes } from './auth.routes.js';
import { type ConnectorEventsRoutesDeps, connectorEventsRoutes } from './connector-events.routes.js';
import { type DispatchLogRoutesDeps, dispatchLogRoutes } from './dispatch-log.routes.js';
import { type DocsDeps, docsRoutes } from './docs.routes.js';
import { type GapFillRoutesDeps, gapFillRoutes } from './gap-fill.routes.js';
import { type GithubWebhookRoutesDeps, githubWebhookRoutes } from './github-webhook.routes.js';
import { type HealthRoutesDeps, healthRoutes } from './health.routes.js';
import { type IssuesRoutesDeps, issuesRoutes } from './issues.routes.js';
import { type JiraRoutesDeps, jiraRoutes } from './jira.routes.js';
import { type LinearWebhookRoutesDeps, linearWebhookRoutes } from './linear-webhook.routes.js';
import { type LocalForgeRoutesDeps, localForgeRoutes } from './local-forge.routes.js';
import { type MappingsRoutesDeps, mappingsRoutes } from './mappings.routes.js';
import { type MetricsRoutesDeps, metricsRoutes } from './metrics.routes.js';
import { type NotificationsRoutesDeps, notificationsRoutes } from './notifications.routes.js';
import { type PipelinesRoutesDeps, pipelinesRoutes } from './pipelines.routes.js';
import { type PullsRoutesDeps, pullsRoutes } from './pulls.routes.js';
import { type ReaperRoutesDeps, reaperRoutes } from './reaper.routes.js';
import { type ReconcileRoutesDeps, reconcileRoutes } from './reconcile.routes.js';
import { type RunnerRoutesDeps, runnerRoutes } from './runner.routes.js';
import { type RunnersRoutesDeps, runnersRoutes } from './runners.routes.js';
import { type SecretsRoutesDeps, secretsRoutes } from './secrets.routes.js';
import { type SecurityEventsRoutesDeps, securityEventsRoutes } from './security-events.routes.js';
import { type SessionApiRoutesDeps, sessionApiRoutes } from './session-api.routes.js';
import { type SessionBundleRoutesDeps, sessionBundleRoutes } from './session-bundle.routes.js';
import { type SessionEnvRoutesDeps, sessionEnvRoutes } from './session-env.routes.js';
import { type SettingsRoutesDeps, settingsRoutes } from './settings.routes.js';
import { type TemplatesRoutesDeps, templatesRoutes } from './templates.routes.js';
import { type TrackerRoutesDeps, trackerRoutes } from './tracker.routes.js';
import { type UsageRoutesDeps, usageRoutes } from './usage.routes.js';
import { type V1ConfigRoutesDeps, v1ConfigRoutes } from './v1-config.routes.js';
import { type V1IssuesRoutesDeps, v1IssuesRoutes } from './v1-issues.routes.js';
import { type V1OperationsRoutesDeps, v1OperationsRoutes } from './v1-operations.routes.js';
import { type V1StateRoutesDeps, v1StateRoutes } from './v1-state.routes.js';
import { type V1TemplatesRoutesDeps, v1TemplatesRoutes } from './v1-templates.routes.js';

/** What the route modules need from the container. Extend with each new module's deps. */
export type RoutesDeps = HealthRoutesDeps &
  AuthRoutesDeps &
  MappingsRoutesDeps &
  IssuesRoutesDeps &
  DispatchLogRoutesDeps &
  ReconcileRoutesDeps &
  LinearWebhookRoutesDeps &
  TrackerRoutesDeps &
  JiraRoutesDeps &
  RunnerRoutesDeps &
  SessionBundleRoutesDeps &
  SessionEnvRoutesDeps &
  SessionApiRoutesDeps &
  GithubWebhookRoutesDeps &
  GapFillRoutesDeps &
  PullsRoutesDeps &
  LocalForgeRoutesDeps &
  TemplatesRoutesDeps &
  PipelinesRoutesDeps &
  RunnersRoutesDeps &
  SettingsRoutesDeps &
  SecretsRoutesDeps &
  ReaperRoutesDeps &
  NotificationsRoutesDeps &
  V1StateRoutesDeps &
  V1IssuesRoutesDeps &
  V1ConfigRoutesDeps &
  V1TemplatesRoutesDeps &
  V1OperationsRoutesDeps &
  UsageRoutesDeps &
  MetricsRoutesDeps &
  ConnectorEventsRoutesDeps &
  SecurityEventsRoutesDeps;

/** What routes/index.ts makes per app for the pages: their file tables and the document. */
export type PagesDeps = AdminPageDeps & DocsDeps;

/**
 * Every route, in registration order. A new area is one file `routes/<area>.routes.ts`
 * exporting its definitions and one line here; the document follows by itself.
 */
export const ROUTES: readonly RouteDefinition<RoutesDeps & PagesDeps>[] = [
  ...healthRoutes,
  ...adminPageRoutes,
  ...authRoutes,
  ...mappingsRoutes,
  ...issuesRoutes,
  ...dispatchLogRoutes,
  ...reconcileRoutes,
  ...linearWebhookRoutes,
  ...trackerRoutes,
  ...jiraRoutes,
  ...runnerRoutes,
  ...sessionBundleRoutes,
  ...sessionEnvRoutes,
  ...sessionApiRoutes,
  ...githubWebhookRoutes,
  ...gapFillRoutes,
  ...pullsRoutes,
  ...localForgeRoutes,
  ...templatesRoutes,
  ...pipelinesRoutes,
  ...runnersRoutes,
  ...settingsRoutes,
  ...secretsRoutes,
  ...reaperRoutes,
  ...notificationsRoutes,
  ...v1StateRoutes,
  // Before /api/v1/:id, so the document lists them first (the router prefers static segments anyway).
  ...v1ConfigRoutes,
  ...v1TemplatesRoutes,
  ...v1OperationsRoutes,
  ...v1IssuesRoutes,
  ...connectorEventsRoutes,
  ...securityEventsRoutes,
  ...usageRoutes,
  ...metricsRoutes,
  ...docsRoutes,
];
