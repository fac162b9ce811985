// @ts-check
import * as audit from './audit.js';
import * as blockers from './blockers.js';
import * as configOverlay from './config-overlay.js';
import * as connectorEvents from './connector-events.js';
import * as customizations from './customizations.js';
import * as issues from './issues.js';
import * as jobs from './jobs.js';
import * as localSecrets from './local-secrets.js';
import * as models from './models.js';
import * as notifications from './notifications.js';
import * as overview from './overview.js';
import * as pipelinesSteps from './pipelines-steps.js';
import * as projects from './projects.js';
import * as promptTemplates from './prompt-templates.js';
import * as pulls from './pulls.js';
import * as reaper from './reaper.js';
import * as runners from './runners.js';
import * as secrets from './secrets.js';
import * as securityEvents from './security-events.js';
import * as sessions from './sessions.js';
import * as settings from './settings.js';
import * as usage from './usage.js';
import * as workspaces from './workspaces.js';

/**
 * @typedef {{
 *   status: (message: string, tone?: 'good' | 'bad' | 'info') => void,
 *   onRefresh: (handler: () => Promise<void>) => void,
 *   rerender: () => void,
 * }} PanelContext
 *
 * @typedef {{
 *   id: string,
 *   title: string,
 *   heading?: string,
 *   intro?: string,
 *   group: string,
 *   render: (root: HTMLElement, ctx: PanelContext) => Promise<void> | void,
 * }} Panel
 */

/** The sidebar's groups, in order (admin-ui-and-api.txt). */
export const GROUPS = ['Work', 'Configure', 'Platform', 'Developer'];

/** @type {Panel[]} */
export const PANELS = [
  { id: 'overview', title: 'Overview', group: 'Work', render: overview.render },
  {
    id: 'issues',
    title: 'Issues',
    intro:
      'Every issue the project mappings match, its state, and whether it is ready for implementation or still has planning pending.',
    group: 'Work',
    render: issues.render,
  },
  {
    id: 'jobs',
    title: 'Pipelines',
    intro: 'The dispatch log: the last 500 dispatches across all teams, newest first.',
    heading: 'Pipelines (jobs)',
    group: 'Work',
    render: jobs.render,
  },
  {
    id: 'pulls',
    title: 'Pull requests',
    intro: 'Bot-opened pull requests the orchestrator is tracking.',
    group: 'Work',
    render: pulls.render,
  },
  {
    id: 'blockers',
    title: 'Blockers',
    intro: 'Eligible issues that are not being picked up, and why.',
    group: 'Work',
    render: blockers.render,
  },
  {
    id: 'usage',
    title: 'Usage',
    intro: 'What the agents spent, in dollars and tokens, per team and day; the daily budgets and the runs a budget stopped.',
    group: 'Work',
    render: usage.render,
  },
  {
    id: 'projects',
    title: 'Projects',
    intro: 'Ticketing scopes connected to repositories, and how each one dispatches runs.',
    group: 'Configure',
    render: projects.render,
  },
  {
    id: 'pipelines-steps',
    title: 'Pipelines & steps',
    intro: 'Pipeline definitions (built-in and custom/) and the step modules they run.',
    group: 'Configure',
    render: pipelinesSteps.render,
  },
  {
    id: 'models',
    title: 'Models & providers',
    intro: 'Model provider and region per project (read-only).',
    group: 'Configure',
    render: models.render,
  },
  {
    id: 'templates',
    title: 'Prompt templates',
    intro: 'The Liquid templates runs are prompted with: edit, preview with sample variables, copy a built-in.',
    group: 'Configure',
    render: promptTemplates.render,
  },
  {
    id: 'config',
    title: 'Configuration',
    intro:
      'Every configuration key in force, where it comes from, and the stored overlay. An environment variable beats the overlay.',
    group: 'Configure',
    render: configOverlay.render,
  },
  {
    id: 'runners',
    title: 'Runners',
    intro: 'Runner mode, live sessions, capacity and reaper activity.',
    group: 'Platform',
    render: runners.render,
  },
  {
    id: 'sessions',
    title: 'Sessions',
    intro: 'Fly Machine sessions in started, starting or created state.',
    group: 'Platform',
    render: sessions.render,
  },
  {
    id: 'reaper',
    title: 'Reaper',
    intro: 'The reconciliation sweep: what it destroyed (or would have, in shadow mode) and why.',
    group: 'Platform',
    render: reaper.render,
  },
  {
    id: 'notifications',
    title: 'Notifications',
    intro: 'Alerts to Slack, a signed webhook and e-mail: the channels, a test message, and every delivery attempt.',
    group: 'Platform',
    render: notifications.render,
  },
  {
    id: 'secrets',
    title: 'Secrets',
    intro: 'Fly app secrets per project and global. Names only; values are write-only.',
    group: 'Platform',
    render: secrets.render,
  },
  {
    id: 'local-secrets',
    title: 'Local secrets',
    intro: 'The orchestrator’s own secret store, encrypted at rest. Names only; values are write-only.',
    group: 'Platform',
    render: localSecrets.render,
  },
  {
    id: 'workspaces',
    title: 'Workspaces',
    intro: 'Working copies of runs on this machine: disk use, owning issue, last use.',
    group: 'Platform',
    render: workspaces.render,
  },
  {
    id: 'connector-events',
    title: 'Connector events',
    intro: 'Webhook deliveries with their delivery ids and verification, and outbound calls that failed.',
    group: 'Platform',
    render: connectorEvents.render,
  },
  {
    id: 'settings',
    title: 'Settings',
    intro: 'Orchestrator-level settings. An environment variable beats the stored value.',
    group: 'Platform',
    render: settings.render,
  },
  {
    id: 'audit',
    title: 'Audit log',
    intro: 'Operator actions and dispatch decisions, and the dispatch-deduplication ledger for the last 24 hours.',
    group: 'Developer',
    render: audit.render,
  },
  {
    id: 'security-events',
    title: 'Security events',
    intro: 'Failed sign-ins, bad signatures and tokens, probes and unknown-route bursts, grouped for triage.',
    group: 'Developer',
    render: securityEvents.render,
  },
  {
    id: 'customizations',
    title: 'Customizations',
    intro: 'Files under custom/ that override or add to the built-ins.',
    group: 'Developer',
    render: customizations.render,
  },
];
