// @ts-check
import { api, seg } from '../api.js';
import { badge, errorBox, h, pager, table, time } from '../dom.js';

/**
 * Developer → Security events: failed sign-ins, lockouts, bad signatures, bad or replayed run
 * tokens and nonces, probes and unknown-route bursts, grouped so each is triaged once. A probe's
 * sample is attacker text: it is set as a text node (dom.js), never parsed as markup.
 */

const STATUSES = ['', 'open', 'triaged', 'in_progress', 'done', 'archived'];
const CLASSES = ['', 'script', 'command', 'SQL', 'template', 'path', 'fuzz'];
const PAGE = 50;

/** The moves the workflow allows from each status (core/domain/security-events.ts). */
/** @type {Record<string, string[]>} */
const NEXT = {
  open: ['triaged', 'in_progress', 'done'],
  triaged: ['in_progress', 'done', 'open'],
  in_progress: ['done', 'open'],
  done: ['archived', 'open'],
  archived: [],
};

/** @param {string} id @param {string} label @param {string[]} values @param {(value: string) => void} onChange */
function filterSelect(id, label, values, onChange) {
  return h(
    'label',
    { for: id },
    label,
    ' ',
    h(
      'select',
      { id, on: { change: (e) => onChange(e.target.value) } },
      values.map((v) => h('option', { value: v }, v === '' ? 'any' : v)),
    ),
  );
}

/** @param {HTMLElement} root @param {import('./index.js').PanelContext} ctx */
export async function render(root, ctx) {
  const filters = { status: '', classification: '' };
  let offset = 0;
  const list = h('div');

  /** @param {any} e @param {string} status */
  async function move(e, status) {
    const res = await api.patch(`/api/security-events/${seg(e.id)}`, { status });
    if (res.ok) ctx.status(`Security event moved to ${status}.`, 'good');
    else ctx.status(res.error, 'bad');
    await load();
  }

  async function load() {
    const query = new URLSearchParams({ limit: String(PAGE), offset: String(offset) });
    if (filters.status) query.set('status', filters.status);
    if (filters.classification) query.set('classification', filters.classification);
    const res = await api.get(`/api/security-events?${query}`);
    if (!res.ok) {
      list.replaceChildren(errorBox(res.error));
      return;
    }
    const { events, total } = res.data;
    list.replaceChildren(
      table({
        caption: 'Security events, newest sighting first',
        rows: /** @type {any[]} */ (events),
        empty: 'No security events match.',
        columns: [
          { label: 'Last seen', cell: (e) => time(e.lastSeen) },
          { label: 'Kind', cell: (e) => (e.classification ? `${e.kind} (${e.classification})` : e.kind) },
          { label: 'Detail', cell: (e) => e.detail ?? '' },
          { label: 'Source', cell: (e) => e.source },
          { label: 'Route', class: 'wrap', cell: (e) => e.route },
          { label: 'Sample', class: 'wrap', cell: (e) => h('code', {}, e.sample ?? '') },
          { label: 'Count', numeric: true, cell: (e) => e.count },
          {
            label: 'Hints',
            cell: (e) => e.hints.map((/** @type {string} */ hint) => badge(hint, hint === 'burst' ? 'warn' : 'info')),
          },
          { label: 'Status', cell: (e) => badge(e.status.replace('_', ' '), e.status === 'open' ? 'warn' : 'neutral') },
          {
            label: 'Move to',
            cell: (e) =>
              (NEXT[e.status] ?? []).map((/** @type {string} */ next) =>
                h(
                  'button',
                  { type: 'button', 'aria-label': `Move security event ${e.id} to ${next}`, on: { click: () => move(e, next) } },
                  next.replace('_', ' '),
                ),
              ),
          },
        ],
      }),
      pager({ offset, pageSize: PAGE, total, onPage: turnTo }),
    );
  }

  /** @param {number} to */
  function turnTo(to) {
    offset = to;
    void load();
  }

  root.append(
    h(
      'p',
      { class: 'muted' },
      'Repeats of one signal from one source on one route are one row (duplicate and burst hints). Workflow: open → triaged → in progress → done, then archived. Kept 30 days after the last sighting.',
    ),
    h(
      'div',
      { class: 'filters' },
      filterSelect('security-status', 'Status', STATUSES, (v) => {
        filters.status = v;
        offset = 0;
        void load();
      }),
      ' ',
      filterSelect('security-class', 'Classification', CLASSES, (v) => {
        filters.classification = v;
        offset = 0;
        void load();
      }),
    ),
    list,
  );
  ctx.onRefresh(load);
  await load();
}
