// @ts-check
import { api, seg } from '../api.js';
import { errorBox, h, section, table, time } from '../dom.js';
import { auditTrail } from './audit-trail.js';

/**
 * Developer → Audit log: the audit trail (operator actions and dispatch decisions, paged and
 * filtered) and the 24-hour dispatch dedup window, with removal.
 */

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

  async function load() {
    const res = await api.get('/api/dedup');
    if (!res.ok) {
      list.replaceChildren(errorBox(res.error));
      return;
    }
    list.replaceChildren(
      table({
        caption: 'Issues in the 24-hour dedup window',
        captionHidden: true,
        rows: /** @type {any[]} */ (res.data.entries),
        empty: 'The dedup window is empty.',
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
      messages,
      list,
    ),
  );
  ctx.onRefresh(async () => {
    await Promise.all([trail.load(), load()]);
  });
  await Promise.all([trail.load(), load()]);
}
