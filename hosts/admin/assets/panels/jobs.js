// @ts-check
import { api } from '../api.js';
import { errorBox, extLink, h, orDash, runnerName, stack, statusBadge, table, time } from '../dom.js';
import { issueLink, jobLink } from '../links.js';

/**
 * Work → Pipelines (jobs): the dispatch log, newest first (the API keeps the last 500), with
 * each issue's latest planning and implementation statuses side by side.
 */

/** @param {HTMLElement} root */
export async function render(root) {
  const res = await api.get('/api/log');
  if (!res.ok) {
    root.append(errorBox(res.error));
    return;
  }
  /** @type {any[]} */
  const entries = res.data.entries;

  /** The newest status per issue and phase (entries come newest first). @type {Map<string, Record<string, string>>} */
  const latest = new Map();
  for (const e of entries) {
    const phases = latest.get(e.issueId) ?? {};
    phases[e.phase] ??= e.status;
    latest.set(e.issueId, phases);
  }

  const filter = h('input', {
    type: 'search',
    id: 'jobs-filter',
    placeholder: 'issue, repo, team or runner',
    autocomplete: 'off',
  });
  const count = h('p', { class: 'muted', 'aria-live': 'polite' });
  const holder = h('div');

  const draw = () => {
    const q = filter.value.trim().toLowerCase();
    const rows = q
      ? entries.filter((e) =>
          [e.identifier, `${e.owner}/${e.repo}`, e.teamKey, e.runner, e.status].some((v) => String(v).toLowerCase().includes(q)),
        )
      : entries;
    count.textContent = q ? `Showing ${rows.length} of ${entries.length} dispatches` : `${entries.length} dispatches`;
    holder.replaceChildren(
      table({
        caption: 'Dispatch log',
        captionHidden: true,
        rows,
        empty: q ? 'No dispatch matches the filter.' : 'Nothing has been dispatched yet.',
        columns: [
          { label: 'When', cell: (e) => time(e.at) },
          { label: 'Issue', cell: (e) => issueLink(e.issueId, e.identifier) },
          { label: 'Repo', cell: (e) => `${e.owner}/${e.repo}` },
          { label: 'Team', cell: (e) => e.teamKey },
          { label: 'Runner', cell: (e) => (e.runUrl ? extLink(e.runUrl, runnerName(e.runner)) : runnerName(e.runner)) },
          { label: 'Image', cell: (e) => orDash(e.sessionImage) },
          {
            label: 'Job',
            cell: (e) =>
              h('span', { class: 'inline' }, jobLink(e.jobId, `${e.phase} #${e.dispatchNumber}`), statusBadge(e.status)),
          },
          { label: 'Issue statuses', cell: (e) => combined(latest.get(e.issueId) ?? {}) },
          { label: 'PR', cell: (e) => (e.prUrl ? extLink(e.prUrl, prLabel(e.prUrl)) : orDash(null)) },
          { label: 'Dispatch', numeric: true, cell: (e) => `#${e.dispatchNumber}` },
        ],
      }),
    );
  };
  filter.addEventListener('input', draw);
  draw();
  root.append(h('div', { class: 'toolbar' }, h('label', { for: 'jobs-filter' }, 'Filter'), filter, count), holder);
}

/** @param {Record<string, string>} phases */
function combined(phases) {
  const parts = [];
  for (const [phase, short] of [
    ['planning', 'plan'],
    ['implementation', 'impl'],
    ['gap-analysis', 'gap'],
  ]) {
    const status = phases[/** @type {string} */ (phase)];
    if (status) parts.push(h('span', { class: 'inline' }, `${short} `, statusBadge(status)));
  }
  return parts.length ? stack(parts) : orDash(null);
}

/** `#123` from a pull-request URL, else "PR". @param {string} url */
function prLabel(url) {
  const m = /\/pull\/(\d+)/.exec(url);
  return m ? `#${m[1]}` : 'PR';
}
