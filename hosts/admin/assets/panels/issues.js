// @ts-check
import { api } from '../api.js';
import { badge, callout, capacityMeter, errorBox, h, orDash, section, statusBadge, table } from '../dom.js';
import { issueLink, jobLink, ticketLink } from '../links.js';

/**
 * Work → Issues: every issue the project mappings match, its tracker state and whether it is
 * ready for implementation or still has planning pending; then in-progress counts per mapping.
 * A mapping whose tracker failed is named above the table, with its error: its issues are missing.
 */

/** @type {Record<string, import('../dom.js').Tone>} */
const STATE_TONES = { started: 'info', completed: 'good', cancelled: 'neutral', unstarted: 'neutral', backlog: 'neutral' };

/** @param {HTMLElement} root */
export async function render(root) {
  const res = await api.get('/api/issues');
  if (!res.ok) {
    root.append(errorBox(res.error));
    return;
  }
  /** @type {any[]} */
  const issues = res.data.issues;
  /** @type {{ teamKey: string, count: number, cap: number }[]} */
  const inProgress = res.data.inProgress;
  /** @type {{ teamKey: string, error: string }[]} */
  const errors = res.data.errors ?? [];

  root.append(
    ...errors.map((e) => callout(`${e.teamKey}: issues missing — ${e.error}`, 'warn')),
    section(
      `Issues (${issues.length})`,
      table({
        caption: 'Issues matched by the project mappings',
        captionHidden: true,
        rows: issues,
        empty: 'No issue carries the trigger label in any mapped scope.',
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
      }),
    ),
    section(
      'In progress by project mapping',
      table({
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
      }),
    ),
  );
}
