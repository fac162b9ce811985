// @ts-check
import { extLink, h } from './dom.js';

/**
 * Links into the drill-down views (`#/job/<job id>`, `#/issue/<issue id or identifier>`), and
 * ticket links that stay in the admin for the embedded tracker: its ticket URL is an API route
 * (`/api/tracker/issues/APP-1`) that needs the bearer token, so a new tab would only get a 401.
 */

/** @param {string} jobId */
export const jobHref = (jobId) => `#/job/${encodeURIComponent(jobId)}`;
/** @param {string} ref an issue id or identifier */
export const issueHref = (ref) => `#/issue/${encodeURIComponent(ref)}`;

/** @param {string} jobId @param {import('./dom.js').Child} label */
export const jobLink = (jobId, label) => h('a', { href: jobHref(jobId), class: 'drill' }, label);
/** @param {string} ref @param {import('./dom.js').Child} label */
export const issueLink = (ref, label) => h('a', { href: issueHref(ref), class: 'drill' }, label);

/** True for a ticket of the embedded tracker (its URL is the tracker's API route). @param {unknown} url */
export function isEmbeddedTicket(url) {
  if (typeof url !== 'string' || url === '') return false;
  try {
    return new URL(url, window.location.origin).pathname.startsWith('/api/tracker/issues/');
  } catch {
    return false;
  }
}

/**
 * The issue's link: the in-app issue view for an embedded-tracker ticket, else the tracker's page
 * in a new tab (Linear, Jira, GitHub).
 * @param {unknown} url
 * @param {string} ref an issue id or identifier for the issue view
 * @param {import('./dom.js').Child} label
 */
export function ticketLink(url, ref, label) {
  return isEmbeddedTicket(url) || !url ? issueLink(ref, label) : extLink(url, label);
}
