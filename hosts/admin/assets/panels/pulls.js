// @ts-check
import { api } from '../api.js';
import { badge, duration, errorBox, extLink, h, orDash, statusBadge, table } from '../dom.js';
import { jobLink, ticketLink } from '../links.js';

/** Work → Pull requests: every bot-opened pull request the orchestrator tracks. */

/** @param {HTMLElement} root */
export async function render(root) {
  const res = await api.get('/api/pulls');
  if (!res.ok) {
    root.append(errorBox(res.error));
    return;
  }
  root.append(
    table({
      caption: 'Tracked pull requests',
      captionHidden: true,
      rows: /** @type {any[]} */ (res.data.pulls),
      empty: 'No pull requests yet.',
      columns: [
        { label: 'Issue', cell: (p) => ticketLink(p.links?.issue ?? p.issue.url, p.issue.id, p.issue.identifier) },
        { label: 'Repo', cell: (p) => extLink(p.links.repository, p.repository) },
        { label: 'Pull request', cell: (p) => extLink(p.links.pullRequest ?? p.url, `#${p.number}`) },
        {
          label: 'Status',
          cell: (p) => h('span', { class: 'inline' }, statusBadge(p.status), p.merged ? badge('merged', 'good') : null),
        },
        { label: 'Iteration', numeric: true, cell: (p) => p.iteration },
        { label: 'Since last dispatch', numeric: true, cell: (p) => duration(p.secondsSinceLastDispatch) },
        { label: 'Job', cell: (p) => (p.job ? jobLink(p.job.id, `${p.job.phase} job`) : orDash(null)) },
        { label: 'Run', cell: (p) => (p.links.run ? extLink(p.links.run, 'run') : orDash(null)) },
      ],
    }),
  );
}
