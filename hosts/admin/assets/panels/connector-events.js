// @ts-check
import { api, seg } from '../api.js';
import { badge, errorBox, h, pager, section, table, time } from '../dom.js';

/**
 * Platform → Connector events: every inbound delivery (Linear, GitHub, gap-fill, the embedded
 * tracker) with its verdict and outcome, and failed outbound calls with their retry state.
 * Everything shown is text: a delivery's body is what a sender chose, so it goes into a <pre>
 * as a text node, never as markup.
 */

const SOURCES = ['', 'linear', 'github', 'gap-fill', 'tracker', 'jira', 'runner'];
const OUTCOMES = ['', 'acted', 'ignored', 'duplicate', 'rejected', 'failed'];
const PAGE = 50;

/** @type {Record<string, 'good' | 'bad' | 'warn' | 'info' | 'neutral'>} */
const OUTCOME_TONES = { acted: 'good', ignored: 'neutral', duplicate: 'info', rejected: 'bad', failed: 'bad' };

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
  const filters = { source: '', outcome: '' };
  let offset = 0;
  const list = h('div');
  const detail = h('div', { 'aria-live': 'polite' });

  /** @param {any} e */
  async function show(e) {
    const res = await api.get(`/api/connector-events/${seg(e.id)}`);
    if (!res.ok) {
      detail.replaceChildren(errorBox(res.error));
      return;
    }
    const ev = res.data;
    const replay = h(
      'button',
      {
        type: 'button',
        disabled: !(ev.direction === 'inbound' && ev.signature === 'verified' && !ev.bodyTruncated && ev.body !== undefined),
        on: {
          click: async () => {
            const done = await api.post(`/api/connector-events/${seg(ev.id)}/replay`);
            if (done.ok) ctx.status(`Replayed: ${done.data.outcome}${done.data.reason ? ` (${done.data.reason})` : ''}`, 'good');
            else ctx.status(done.error, 'bad');
            await load();
          },
        },
      },
      'Replay',
    );
    detail.replaceChildren(
      section(
        `Event ${ev.id}`,
        h(
          'dl',
          { class: 'facts' },
          [
            ['Source', ev.source],
            ['Delivery id', ev.deliveryId ?? '—'],
            ['Event', [ev.event, ev.action].filter(Boolean).join(' / ') || '—'],
            ['Signature', ev.signature],
            ['Outcome', `${ev.outcome}${ev.reason ? ` — ${ev.reason}` : ''}`],
            ['Jobs started', ev.caused.jobIds.join(', ') || '—'],
            ['Teams reconciled', ev.caused.teams.join(', ') || '—'],
            ['Body', `${ev.bodyBytes} bytes${ev.bodyTruncated ? ' (cut)' : ''}`],
          ].flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]),
        ),
        h('pre', { class: 'log connector-body' }, ev.body ?? '(no body kept)'),
        replay,
      ),
    );
  }

  async function load() {
    const query = new URLSearchParams({ limit: String(PAGE), offset: String(offset) });
    if (filters.source) query.set('source', filters.source);
    if (filters.outcome) query.set('outcome', filters.outcome);
    const res = await api.get(`/api/connector-events?${query}`);
    if (!res.ok) {
      list.replaceChildren(errorBox(res.error));
      return;
    }
    const { events, total } = res.data;
    list.replaceChildren(
      table({
        caption: 'Connector events, newest first',
        rows: /** @type {any[]} */ (events),
        empty: 'No connector events match.',
        columns: [
          { label: 'Received', cell: (e) => time(e.receivedAt) },
          { label: 'Source', cell: (e) => `${e.source}${e.direction === 'outbound' ? ' (outbound)' : ''}` },
          { label: 'Event', cell: (e) => [e.event, e.action].filter(Boolean).join(' / ') || '—' },
          { label: 'Delivery / target', class: 'wrap', cell: (e) => e.deliveryId ?? e.target ?? '—' },
          { label: 'Signature', cell: (e) => e.signature },
          { label: 'Outcome', cell: (e) => badge(e.outcome, OUTCOME_TONES[e.outcome] ?? 'neutral') },
          {
            label: 'Reason / retry',
            class: 'wrap',
            cell: (e) => (e.retry ? `${e.retry.state}, ${e.retry.attempts} failed: ${e.retry.lastError}` : (e.reason ?? '')),
          },
          { label: 'Latency', numeric: true, cell: (e) => `${e.latencyMs} ms` },
          {
            label: 'Details',
            cell: (e) =>
              h('button', { type: 'button', 'aria-label': `Details of event ${e.id}`, on: { click: () => show(e) } }, 'Details'),
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
      'Webhook deliveries with their vendor delivery id and verification, and outbound calls that failed. Kept 14 days, at most 20,000 events.',
    ),
    h(
      'div',
      { class: 'filters' },
      filterSelect('connector-source', 'Source', SOURCES, (v) => {
        filters.source = v;
        offset = 0;
        void load();
      }),
      ' ',
      filterSelect('connector-outcome', 'Outcome', OUTCOMES, (v) => {
        filters.outcome = v;
        offset = 0;
        void load();
      }),
    ),
    list,
    detail,
  );
  ctx.onRefresh(load);
  await load();
}
