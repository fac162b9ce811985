// @ts-check
import { api } from '../api.js';
import { badge, errorBox, kpiGrid, table } from '../dom.js';
import { ticketLink } from '../links.js';

/** Work → Blockers: eligible issues that are not being picked up, and why. */

/** @type {Record<string, import('../dom.js').Tone>} */
const REASON_TONES = { concurrency: 'warn', dedup: 'info', 'no-mapping': 'bad', budget: 'warn' };

/** @param {HTMLElement} root */
export async function render(root) {
  const res = await api.get('/api/blockers');
  if (!res.ok) {
    root.append(errorBox(res.error));
    return;
  }
  const { kpis, blockers } = res.data;
  root.append(
    kpiGrid(
      [
        { label: 'Blocked issues', value: kpis.totalBlocked, tone: kpis.totalBlocked > 0 ? 'warn' : undefined },
        { label: 'Teams affected', value: kpis.teamsAffected },
        { label: 'Blocked by concurrency cap', value: kpis.blockedByConcurrency },
        { label: 'Blocked by dedup window', value: kpis.blockedByDedup },
        { label: 'Blocked by daily budget', value: kpis.blockedByBudget ?? 0 },
      ],
      'Blocker counts',
    ),
    table({
      caption: 'Blocked issues',
      rows: /** @type {any[]} */ (blockers),
      empty: 'Nothing is blocked.',
      columns: [
        { label: 'Issue', cell: (b) => ticketLink(b.url, b.issueId, b.identifier) },
        { label: 'Title', class: 'wrap', cell: (b) => b.title },
        { label: 'Project mapping', cell: (b) => b.mapping },
        { label: 'Reason', cell: (b) => badge(b.reason, REASON_TONES[b.reason] ?? 'neutral') },
        { label: 'Detail', class: 'wrap', cell: (b) => b.message },
      ],
    }),
  );
}
