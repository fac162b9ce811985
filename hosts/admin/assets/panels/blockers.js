// @ts-check
import { api } from '../api.js';
import { badge, callout, errorBox, h, kpiGrid, pager, table } from '../dom.js';
import { ticketLink } from '../links.js';

/**
 * Work → Blockers: eligible issues that are not being picked up, and why — a page at a time —
 * and whole mappings held back because their tracker is rate limited or unavailable.
 */

/** Blocked issues per page. */
export const PAGE = 100;

/** @type {Record<string, import('../dom.js').Tone>} */
const REASON_TONES = { concurrency: 'warn', dedup: 'info', 'no-mapping': 'bad', budget: 'warn' };

/** @param {HTMLElement} root @param {import('./index.js').PanelContext} ctx */
export async function render(root, ctx) {
  let offset = 0;
  const body = h('div');

  async function load() {
    const res = await api.get(`/api/blockers?limit=${PAGE}&offset=${offset}`);
    if (!res.ok) {
      body.replaceChildren(errorBox(res.error));
      return;
    }
    const { kpis, blockers, mappings = [] } = res.data;
    const total = kpis.totalBlocked;
    if (offset > 0 && offset >= total) {
      offset = Math.max(0, Math.floor((total - 1) / PAGE) * PAGE);
      return load();
    }
    body.replaceChildren(
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
      .../** @type {any[]} */ (mappings).map((m) =>
        callout(
          `${m.mapping}: ${m.message}. No issue of it is picked up meanwhile.`,
          m.reason === 'rate-limited' ? 'warn' : 'bad',
        ),
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
      ...(total > PAGE ? [pager({ offset, pageSize: PAGE, total, onPage: turnTo, labels: ['Previous', 'Next'] })] : []),
    );
  }

  /** @param {number} to */
  function turnTo(to) {
    offset = to;
    void load();
  }

  root.append(body);
  ctx.onRefresh(load); // a live redraw keeps the page
  await load();
}
