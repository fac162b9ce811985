// @ts-check
import { api, seg } from '../api.js';
import { badge, callout, errorBox, extLink, h, orDash, runnerName, section, statusBadge, table, time } from '../dom.js';
import { isEmbeddedTicket, jobLink } from '../links.js';
import { actionsSection } from './issue-actions.js';
import { commentList, eventTimeline } from './timelines.js';

/**
 * Work → Issues → one issue (`#/issue/<issue id or identifier>`): its stage, labels, the
 * transitions and actions that apply now, its attempts (each opening its job view), its recent
 * events and the ticket's comments — read through the admin API for the embedded tracker (its
 * ticket URL is an API route a new tab cannot open), linked out for Linear, Jira and GitHub.
 */

/**
 * @param {HTMLElement} root
 * @param {import('./views.js').ViewContext} ctx
 * @param {string} ref
 */
export async function render(root, ctx, ref) {
  const res = await api.get(`/api/v1/${seg(ref)}`);
  if (!res.ok) {
    root.append(errorBox(res.status === 404 ? `No issue ${ref} in any mapped tracker.` : res.error), backLink());
    return;
  }
  const d = res.data;
  ctx.setHeading(`${d.identifier} · ${d.title}`);
  const embedded = isEmbeddedTicket(d.url);
  const ticket = embedded ? await api.get(`/api/tracker/issues/${seg(d.identifier)}`) : undefined;

  root.append(
    h(
      'dl',
      { class: 'facts' },
      h('div', {}, h('dt', {}, 'Stage'), h('dd', {}, d.stageName ? badge(d.stageName, 'info') : orDash(d.stage))),
      h('div', {}, h('dt', {}, 'Tracker state'), h('dd', {}, orDash(d.state))),
      h('div', {}, h('dt', {}, 'Project'), h('dd', {}, d.teamKey)),
      h(
        'div',
        {},
        h('dt', {}, 'Labels'),
        h('dd', { class: 'inline' }, d.labels.length ? d.labels.map((/** @type {string} */ l) => badge(l)) : orDash(null)),
      ),
      h(
        'div',
        {},
        h('dt', {}, 'Ticket'),
        h('dd', {}, embedded ? 'embedded tracker (comments below)' : extLink(d.url, `open in the tracker`)),
      ),
    ),
    actionsSection({ issueRef: d.id, identifier: d.identifier, detail: d, ctx }),
    section('Transitions from here', transitionList(d.transitions)),
    section(
      `Attempts (${d.attempts.length})`,
      table({
        caption: `Attempts of ${d.identifier}`,
        captionHidden: true,
        rows: d.attempts,
        empty: 'Not dispatched yet.',
        columns: [
          { label: 'Attempt', cell: (a) => jobLink(a.id, `${a.phase} #${a.dispatchNumber}`) },
          { label: 'Status', cell: (a) => statusBadge(a.status) },
          { label: 'Runner', cell: (a) => (a.runUrl ? extLink(a.runUrl, runnerName(a.runner)) : runnerName(a.runner)) },
          { label: 'Dispatched', cell: (a) => time(a.dispatchedAt) },
          { label: 'Updated', cell: (a) => time(a.updatedAt) },
          { label: 'PR', cell: (a) => (a.prUrl ? extLink(a.prUrl, 'pull request') : orDash(null)) },
          { label: 'Error', class: 'wrap', cell: (a) => orDash(a.error) },
        ],
      }),
    ),
    section('Recent events', eventTimeline(d.recentEvents)),
    section(
      'Comments',
      !embedded
        ? callout(h('span', {}, 'Comments live on the tracker: ', extLink(d.url, `open ${d.identifier}`)))
        : ticket?.ok
          ? commentList(ticket.data.issue.comments ?? [])
          : errorBox(`The ticket could not be read: ${ticket?.ok === false ? ticket.error : 'unknown error'}`),
    ),
    backLink(),
  );
}

/**
 * Every move the lifecycle allows from the issue's stage: those an operator makes (the buttons
 * above) and those a run's outcome makes.
 * @param {any[]} transitions `{ to, action, manual }`
 */
function transitionList(transitions) {
  if (transitions.length === 0) return callout('None: the issue is outside the lifecycle or at its end.');
  return h(
    'ul',
    { class: 'transitions' },
    transitions.map((t) =>
      h(
        'li',
        {},
        h('code', {}, t.to),
        ' ',
        h('span', { class: 'muted' }, `${t.action} · ${t.manual ? 'by an operator' : 'when the run ends'}`),
      ),
    ),
  );
}

function backLink() {
  return h('p', {}, h('a', { href: '#/issues' }, '← All issues'));
}
