// @ts-check
import * as issueView from './issue-view.js';
import * as jobView from './job-view.js';

/**
 * The drill-down views: reached from a row (`#/job/<id>`, `#/issue/<ref>`), not from the
 * sidebar, which marks their parent panel as the current one.
 *
 * @typedef {import('./index.js').PanelContext & { setHeading: (text: string) => void }} ViewContext
 *
 * @typedef {{
 *   id: string,
 *   parent: string,
 *   title: string,
 *   heading?: string,
 *   intro?: string,
 *   render: (root: HTMLElement, ctx: ViewContext, param: string) => Promise<void> | void,
 * }} View
 */

/** @type {View[]} */
export const VIEWS = [
  { id: 'job', parent: 'jobs', title: 'Job', render: jobView.render },
  { id: 'issue', parent: 'issues', title: 'Issue', render: issueView.render },
];
