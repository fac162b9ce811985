// @ts-check
import { api } from '../api.js';
import { badge, callout, capacityMeter, errorBox, h, orDash, pager, section, statusBadge, table } from '../dom.js';
import { issueLink, jobLink, ticketLink } from '../links.js';

/**
 * Work → Issues: every issue the project mappings match, its tracker state and whether it is
 * ready for implementation or still has planning pending; then in-progress counts per mapping.
 * A page at a time (thousands of issues are a megabyte), filtered on the server. A mapping whose
 * tracker failed is named above the table, with its error: its issues are missing.
 */

/** Issues per page. */
export const PAGE = 100;

/** @type {Record<string, import('../dom.js').Tone>} */
const STATE_TONES = { started: 'info', completed: 'good', cancelled: 'neutral', unstarted: 'neutral', backlog: 'neutral' };

/** @param {HTMLElement} root @param {import('./index.js').PanelContext} ctx */
export async function render(root, ctx) {
  let offset = 0;
  const filter = h('input', {
    type: 'search',
    id: 'issues-filter',
    placeholder: 'identifier, title or team',
    autocomplete: 'off',
  });
  const count = h('p', { class: 'muted', 'aria-live': 'polite' });
  const heading = h('h2', {}, 'Issues');
  const list = h('div');
  const caps = h('div');
  const warnings = h('div');
  /** Answers come back in any order: only the newest request's is drawn. */
  let asked = 0;

  async function load() {
    const mine = ++asked;
    const q = filter.value.trim();
    const query = new URLSearchParams({ limit: String(PAGE), offset: String(offset) });
    if (q) query.set('q', q);
    const res = await api.get(`/api/issues?${query}`);
    if (mine !== asked) return;
    if (!res.ok) {
      list.replaceChildren(errorBox(res.error));
      return;
    }
    /** @type {{ issues: any[], total: number, inProgress: { teamKey: string, count: number, cap: number }[], errors?: { teamKey: string, error: string }[] }} */
    const { issues, total, inProgress, errors = [] } = res.data;
    // A list that shrank under the operator's page: back to its last page.
    if (offset > 0 && offset >= total) {
      offset = Math.max(0, Math.floor((total - 1) / PAGE) * PAGE);
      return load();
    }
    heading.textContent = `Issues (${total})`;
    count.textContent = q ? `${total} matching` : '';
    list.replaceChildren(
      issuesTable(issues, q),
      ...(total > PAGE ? [pager({ offset, pageSize: PAGE, total, onPage: turnTo, labels: ['Previous', 'Next'] })] : []),
    );
    caps.replaceChildren(capsTable(inProgress));
    warnings.replaceChildren(...errors.map((e) => callout(`${e.teamKey}: issues missing — ${e.error}`, 'warn')));
  }

  /** @param {number} to */
  function turnTo(to) {
    offset = to;
    void load();
  }

  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let typing;
  filter.addEventListener('input', () => {
    clearTimeout(typing);
    typing = setTimeout(() => {
      offset = 0;
      void load();
    }, 250);
  });

  root.append(
    warnings,
    h(
      'section',
      { class: 'block' },
      heading,
      h('div', { class: 'toolbar' }, h('label', { for: 'issues-filter' }, 'Filter'), filter, count),
      list,
    ),
    section('In progress by project mapping', caps),
  );
  ctx.onRefresh(load); // a live redraw keeps the page and the filter
  await load();
}

/** @param {any[]} issues @param {string} q */
function issuesTable(issues, q) {
  return table({
    caption: 'Issues matched by the project mappings',
    captionHidden: true,
    rows: issues,
    empty: q ? 'No issue matches the filter.' : 'No issue carries the trigger label in any mapped scope.',
    columns: [
      { label: 'Issue', cell: (i) => ticketLink(i.url, i.id, i.identifier) },
      { label: 'Title', class: 'wrap', cell: (i) => issueLink(i.id, i.title) },
      { label: 'Team', cell: (i) => i.teamKey },
      {
        label: 'State',
        cell: (i) => (i.state ? badge(i.stateName ?? i.state, STATE_TONES[i.state] ?? 'neutral') : orDash(null)),
      },
      { label: 'Stage', cell: (i) => i.stageName },
      {
        label: 'Readiness',
        cell: (i) =>
          i.readyForImplementation
            ? badge('ready for implementation', 'good')
            : i.planningPending
              ? badge('planning pending', 'warn')
              : badge('—', 'neutral'),
      },
      {
        label: 'Active job',
        cell: (i) =>
          i.activeJob
            ? h('span', { class: 'inline' }, jobLink(i.activeJob.id, i.activeJob.phase), statusBadge(i.activeJob.status))
            : orDash(null),
      },
    ],
  });
}

/** @param {{ teamKey: string, count: number, cap: number }[]} inProgress */
function capsTable(inProgress) {
  return table({
    caption: 'In-progress issues per project mapping against its cap',
    captionHidden: true,
    rows: inProgress,
    empty: 'No project mappings yet.',
    columns: [
      { label: 'Project', cell: (m) => m.teamKey },
      { label: 'In progress', numeric: true, cell: (m) => m.count },
      { label: 'Cap', numeric: true, cell: (m) => m.cap },
      {
        label: 'Utilisation',
        cell: (m) =>
          h(
            'span',
            { class: 'inline' },
            capacityMeter(m.count, m.cap, `${m.teamKey} capacity`),
            m.count >= m.cap ? badge('at cap', 'warn') : null,
          ),
      },
    ],
  });
}
