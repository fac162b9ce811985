// @ts-check
import { api } from '../api.js';
import { badge, errorBox, h, table, time } from '../dom.js';

/**
 * The audit trail (`GET /api/v1/audit`): operator actions and dispatch decisions, newest first,
 * filtered by actor, action (or its area: `config` matches `config.overlay_replaced`), project
 * and time, a page at a time.
 */

const PAGE = 25;

export function auditTrail() {
  const actor = h(
    'select',
    { id: 'audit-actor' },
    h('option', { value: '' }, 'Anyone'),
    h('option', { value: 'operator' }, 'Operator'),
    h('option', { value: 'orchestrator' }, 'Orchestrator'),
  );
  const action = h('input', {
    type: 'text',
    id: 'audit-action',
    placeholder: 'config, mapping.created…',
    autocomplete: 'off',
    spellcheck: 'false',
  });
  const teamKey = h('input', { type: 'text', id: 'audit-team', placeholder: 'ENG', autocomplete: 'off', spellcheck: 'false' });
  const since = h('input', { type: 'datetime-local', id: 'audit-since' });
  const filters = h(
    'form',
    { class: 'panel-filters', 'aria-label': 'Filter the audit trail', novalidate: true },
    h('div', { class: 'field' }, h('label', { for: actor.id }, 'Actor'), actor),
    h('div', { class: 'field' }, h('label', { for: action.id }, 'Action or area'), action),
    h('div', { class: 'field' }, h('label', { for: teamKey.id }, 'Project'), teamKey),
    h('div', { class: 'field' }, h('label', { for: since.id }, 'Since'), since),
    h('button', { type: 'submit' }, 'Filter'),
  );
  const list = h('div');
  const status = h('p', { class: 'muted', role: 'status' });
  const previous = h('button', { type: 'button' }, 'Newer');
  const nextPage = h('button', { type: 'button' }, 'Older');
  let offset = 0;

  function query() {
    const q = new URLSearchParams({ limit: String(PAGE), offset: String(offset) });
    if (actor.value) q.set('actor', actor.value);
    if (action.value.trim()) q.set('action', action.value.trim());
    if (teamKey.value.trim()) q.set('teamKey', teamKey.value.trim());
    if (since.value) q.set('since', new Date(since.value).toISOString());
    return q.toString();
  }

  async function load() {
    const res = await api.get(`/api/v1/audit?${query()}`);
    if (!res.ok) {
      list.replaceChildren(errorBox(res.error));
      status.textContent = '';
      previous.disabled = true;
      nextPage.disabled = true;
      return;
    }
    const { entries, total, retention } = res.data;
    list.replaceChildren(
      table({
        caption: 'Audit trail entries, newest first',
        captionHidden: true,
        rows: /** @type {any[]} */ (entries),
        empty: 'No entries match.',
        columns: [
          { label: 'When', cell: (e) => time(e.at) },
          { label: 'Actor', cell: (e) => badge(e.actor, e.actor === 'operator' ? 'info' : 'neutral') },
          { label: 'Action', cell: (e) => h('code', {}, e.action) },
          { label: 'Project', cell: (e) => e.teamKey ?? h('span', { class: 'muted' }, '—') },
          { label: 'Target', class: 'wrap', cell: (e) => e.target ?? h('span', { class: 'muted' }, '—') },
          {
            label: 'Detail',
            class: 'wrap',
            cell: (e) =>
              e.detail && Object.keys(e.detail).length
                ? h(
                    'details',
                    {},
                    h('summary', {}, Object.keys(e.detail).join(', ')),
                    h('pre', { class: 'detail-json' }, JSON.stringify(e.detail, null, 2)),
                  )
                : h('span', { class: 'muted' }, '—'),
          },
        ],
      }),
    );
    const first = total === 0 ? 0 : offset + 1;
    const last = Math.min(offset + entries.length, total);
    status.textContent = `${first}–${last} of ${total} (the trail keeps the newest ${retention})`;
    previous.disabled = offset === 0;
    nextPage.disabled = offset + entries.length >= total;
  }

  filters.addEventListener('submit', (event) => {
    event.preventDefault();
    offset = 0;
    void load();
  });
  previous.addEventListener('click', () => {
    offset = Math.max(0, offset - PAGE);
    void load();
  });
  nextPage.addEventListener('click', () => {
    offset += PAGE;
    void load();
  });

  return {
    element: h(
      'div',
      {},
      filters,
      list,
      h('nav', { class: 'pager', 'aria-label': 'Audit trail pages' }, previous, status, nextPage),
    ),
    load,
  };
}
