// @ts-check
import { api, seg } from '../api.js';
import { errorBox, h, pager, section, table, time } from '../dom.js';
import { auditTrail } from './audit-trail.js';

/**
 * Developer → Audit log: the audit trail (operator actions and dispatch decisions, paged and
 * filtered) and the 24-hour dispatch dedup window, with removal.
 */

/** Dedup entries per page. */
export const PAGE = 100;

/** @param {HTMLElement} root @param {import('./index.js').PanelContext} ctx */
export async function render(root, ctx) {
  const messages = h('div', { class: 'messages' });
  const list = h('div');

  /** @param {any} e */
  async function remove(e) {
    const res = await api.del(`/api/dedup/${seg(e.issueId)}`);
    messages.replaceChildren(
      res.ok
        ? h(
            'p',
            { class: 'callout callout-good', role: 'status' },
            `${e.identifier} removed from the dedup window; the next poll may dispatch it again.`,
          )
        : errorBox(`${e.identifier}: ${res.error}`),
    );
    await load();
  }

  /** @type {any[]} */
  let entries = [];
  let offset = 0;
  const filter = h('input', { type: 'search', id: 'dedup-filter', placeholder: 'issue, title or team', autocomplete: 'off' });
  filter.addEventListener('input', () => {
    offset = 0;
    draw();
  });

  async function load() {
    const res = await api.get('/api/dedup');
    if (!res.ok) {
      list.replaceChildren(errorBox(res.error));
      return;
    }
    entries = res.data.entries;
    draw();
  }

  /** One page of the window (every issue dispatched in 24 hours can be thousands), filtered here. */
  function draw() {
    const q = filter.value.trim().toLowerCase();
    const rows = q
      ? entries.filter((e) =>
          [e.identifier, e.title, e.teamKey].some((v) =>
            String(v ?? '')
              .toLowerCase()
              .includes(q),
          ),
        )
      : entries;
    if (offset > 0 && offset >= rows.length) offset = Math.max(0, Math.floor((rows.length - 1) / PAGE) * PAGE);
    list.replaceChildren(
      table({
        caption: 'Issues in the 24-hour dedup window',
        captionHidden: true,
        rows: rows.slice(offset, offset + PAGE),
        empty: q ? 'No issue in the window matches the filter.' : 'The dedup window is empty.',
        columns: [
          { label: 'Issue', cell: (e) => e.identifier },
          { label: 'Title', class: 'wrap', cell: (e) => e.title },
          { label: 'Team', cell: (e) => e.teamKey },
          { label: 'Phase', cell: (e) => e.phase },
          { label: 'Dispatched', cell: (e) => time(e.dispatchedAt) },
          { label: 'Leaves window', cell: (e) => time(e.expiresAt) },
          {
            label: 'Actions',
            cell: (e) =>
              h(
                'button',
                { type: 'button', 'aria-label': `Remove ${e.identifier} from the dedup window`, on: { click: () => remove(e) } },
                'Remove',
              ),
          },
        ],
      }),
      ...(rows.length > PAGE
        ? [
            pager({
              offset,
              pageSize: PAGE,
              total: rows.length,
              onPage: (to) => {
                offset = to;
                draw();
              },
            }),
          ]
        : []),
    );
  }

  const trail = auditTrail();
  root.append(
    section('Audit trail', trail.element),
    section(
      'Dedup window',
      h(
        'p',
        { class: 'muted' },
        'Issues dispatched in the last 24 hours are not dispatched again until they leave this window. Remove one to allow a re-dispatch on the next poll.',
      ),
      h('div', { class: 'toolbar' }, h('label', { for: 'dedup-filter' }, 'Filter'), filter),
      messages,
      list,
    ),
  );
  ctx.onRefresh(async () => {
    await Promise.all([trail.load(), load()]);
  });
  await Promise.all([trail.load(), load()]);
}
