import type { H3 } from 'h3';
import { adminPageRoutes } from './admin-page.routes.js';
import { type AuthRoutesDeps, authRoutes } from './auth.routes.js';
import { type DispatchLogRoutesDeps, dispatchLogRoutes } from './dispatch-log.routes.js';
import { docsRoutes } from './docs.routes.js';
import { type GapFillRoutesDeps, gapFillRoutes } from './gap-fill.routes.js';
import { type GithubWebhookRoutesDeps, githubWebhookRoutes } from './github-webhook.routes.js';
import { healthRoutes } from './health.routes.js';
import { type IssuesRoutesDeps, issuesRoutes } from './issues.routes.js';
import { type JiraRoutesDeps, jiraRoutes } from './jira.routes.js';
import { type LinearWebhookRoutesDeps, linearWebhookRoutes } from './linear-webhook.routes.js';
import { type MappingsRoutesDeps, mappingsRoutes } from './mappings.routes.js';
import { type MetricsRoutesDeps, metricsRoutes } from './metrics.routes.js';
import { type PipelinesRoutesDeps, pipelinesRoutes } from './pipelines.routes.js';
import { type PullsRoutesDeps, pullsRoutes } from './pulls.routes.js';
import { type ReaperRoutesDeps, reaperRoutes } from './reaper.routes.js';
import { type ReconcileRoutesDeps, reconcileRoutes } from './reconcile.routes.js';
import { type RunnerRoutesDeps, runnerRoutes } from './runner.routes.js';
import { type RunnersRoutesDeps, runnersRoutes } from './runners.routes.js';
import { type SecretsRoutesDeps, secretsRoutes } from './secrets.routes.js';
import { type SessionApiRoutesDeps, sessionApiRoutes } from './session-api.routes.js';
import { type SettingsRoutesDeps, settingsRoutes } from './settings.routes.js';
import { type TemplatesRoutesDeps, templatesRoutes } from './templates.routes.js';
import { type TrackerRoutesDeps, trackerRoutes } from './tracker.routes.js';
import { type V1IssuesRoutesDeps, v1IssuesRoutes } from './v1-issues.routes.js';
import { type V1StateRoutesDeps, v1StateRoutes } from './v1-state.routes.js';

/** What all route modules together need from the container. Extend with each new module's deps. */
export type RoutesDeps = AuthRoutesDeps &
  MappingsRoutesDeps &
  IssuesRoutesDeps &
  DispatchLogRoutesDeps &
  ReconcileRoutesDeps &
  LinearWebhookRoutesDeps &
  TrackerRoutesDeps &
  JiraRoutesDeps &
  RunnerRoutesDeps &
  SessionApiRoutesDeps &
  GithubWebhookRoutesDeps &
  GapFillRoutesDeps &
  PullsRoutesDeps &
  TemplatesRoutesDeps &
  PipelinesRoutesDeps &
  RunnersRoutesDeps &
  SettingsRoutesDeps &
  SecretsRoutesDeps &
  ReaperRoutesDeps &
  V1StateRoutesDeps &
  V1IssuesRoutesDeps &
  MetricsRoutesDeps;

/**
 * Registers every route module. A new area is one file `routes/<area>.routes.ts` exporting
 * `<area>Routes(app, deps)` and one line here.
 */
export function registerRoutes(app: H3, deps: RoutesDeps): void {
  healthRoutes(app);
  adminPageRoutes(app);
  authRoutes(app, deps);
  mappingsRoutes(app, deps);
  issuesRoutes(app, deps);
  dispatchLogRoutes(app, deps);
  reconcileRoutes(app, deps);
  linearWebhookRoutes(app, deps);
  trackerRoutes(app, deps);
  jiraRoutes(app, deps);
  runnerRoutes(app, deps);
  sessionApiRoutes(app, deps);
  githubWebhookRoutes(app, deps);
  gapFillRoutes(app, deps);
  pullsRoutes(app, deps);
  templatesRoutes(app, deps);
  pipelinesRoutes(app, deps);
  runnersRoutes(app, deps);
  settingsRoutes(app, deps);
  secretsRoutes(app, deps);
  reaperRoutes(app, deps);
  v1StateRoutes(app, deps);
  v1IssuesRoutes(app, deps);
  metricsRoutes(app, deps);
  docsRoutes(app);
}
