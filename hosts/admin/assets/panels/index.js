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
  { id: 'issues', title: 'Issues', group: 'Work', render: issues.render },
  { id: 'jobs', title: 'Pipelines', heading: 'Pipelines (jobs)', group: 'Work', render: jobs.render },
  { id: 'pulls', title: 'Pull requests', group: 'Work', render: pulls.render },
  { id: 'blockers', title: 'Blockers', group: 'Work', render: blockers.render },
  { id: 'projects', title: 'Projects', group: 'Configure', render: projects.render },
  { id: 'pipelines-steps', title: 'Pipelines & steps', group: 'Configure', render: pipelinesSteps.render },
  { id: 'models', title: 'Models & providers', group: 'Configure', render: models.render },
  { id: 'runners', title: 'Runners', group: 'Platform', render: runners.render },
  { id: 'sessions', title: 'Sessions', group: 'Platform', render: sessions.render },
  { id: 'reaper', title: 'Reaper', group: 'Platform', render: reaper.render },
  { id: 'secrets', title: 'Secrets', group: 'Platform', render: secrets.render },
  { id: 'settings', title: 'Settings', group: 'Platform', render: settings.render },
  { id: 'audit', title: 'Audit log', group: 'Developer', render: audit.render },
  { id: 'customizations', title: 'Customizations', group: 'Developer', render: customizations.render },
];
