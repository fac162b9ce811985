// @ts-check
import * as audit from './audit.js';
import * as blockers from './blockers.js';
import * as customizations from './customizations.js';
import * as issues from './issues.js';
import * as jobs from './jobs.js';
import * as models from './models.js';
import * as overview from './overview.js';
import * as pipelinesSteps from './pipelines-steps.js';
import * as projects from './projects.js';
import * as pulls from './pulls.js';
import * as reaper from './reaper.js';
import * as runners from './runners.js';
import * as secrets from './secrets.js';
import * as sessions from './sessions.js';
import * as settings from './settings.js';
import * as usage from './usage.js';

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
    id: 'secrets',
    title: 'Secrets',
    intro: 'Fly app secrets per project and global. Names only; values are write-only.',
    group: 'Platform',
    render: secrets.render,
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
    intro: 'The dispatch-deduplication ledger for the last 24 hours.',
    group: 'Developer',
    render: audit.render,
  },
  {
    id: 'customizations',
    title: 'Customizations',
    intro: 'Files under custom/ that override or add to the built-ins.',
    group: 'Developer',
    render: customizations.render,
  },
];
