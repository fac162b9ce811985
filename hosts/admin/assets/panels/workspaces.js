// @ts-check
import { api, seg } from '../api.js';
import { badge, bytes, errorBox, h, kpiGrid, table, time } from '../dom.js';

/**
 * Platform → Workspaces: the working copies runs use on this machine, with their size, owning
 * issue and last use. One that no run holds can be removed to free disk.
 */

/** @param {HTMLElement} root @param {import('./index.js').PanelContext} ctx */
export async function render(root, ctx) {
  const messages = h('div', { class: 'messages', 'aria-live': 'polite' });
  const summary = h('div');
  const list = h('div');

  /** @param {any} w */
  async function remove(w) {
    if (!window.confirm(`Remove workspace ${w.key}${w.identifier ? ` of ${w.identifier}` : ''}?`)) return;
    const res = await api.del(`/api/v1/workspaces/${seg(w.key)}`);
    messages.replaceChildren(
      res.ok
        ? h('p', { class: 'callout callout-good', role: 'status' }, `${w.key} removed; ${bytes(res.data.freedBytes)} freed.`)
        : errorBox(`${w.key}: ${res.error}`),
    );
    await load();
  }

  async function load() {
    const res = await api.get('/api/v1/workspaces');
    if (!res.ok) {
      list.replaceChildren(errorBox(res.error));
      return;
    }
    /** @type {any[]} */
    const workspaces = res.data.workspaces;
    const inUse = workspaces.filter((w) => w.inUse).length;
    summary.replaceChildren(
      kpiGrid(
        [
          { label: 'Workspaces', value: workspaces.length },
          { label: 'In use', value: inUse, tone: inUse > 0 ? 'info' : undefined, hint: 'held by a run in flight' },
          { label: 'Disk', value: bytes(res.data.totalBytes), hint: 'all workspaces together' },
        ],
        'Workspaces',
      ),
    );
    list.replaceChildren(
      table({
        caption: 'Workspaces',
        captionHidden: true,
        rows: workspaces,
        empty: 'No workspaces on this machine.',
        columns: [
          {
            label: 'Workspace',
            class: 'wrap',
            cell: (w) => h('span', { class: 'stack' }, h('code', {}, w.key), h('span', { class: 'muted' }, w.path)),
          },
          { label: 'Issue', cell: (w) => w.identifier ?? h('span', { class: 'muted' }, '—') },
          { label: 'Project', cell: (w) => w.teamKey ?? h('span', { class: 'muted' }, '—') },
          { label: 'Size', numeric: true, cell: (w) => bytes(w.sizeBytes) },
          { label: 'Last used', cell: (w) => time(w.lastUsedAt) },
          {
            label: 'State',
            cell: (w) => (w.inUse ? badge(`in use${w.jobId ? ` (job ${w.jobId})` : ''}`, 'info') : badge('idle', 'neutral')),
          },
          {
            label: 'Actions',
            cell: (w) =>
              h(
                'button',
                {
                  type: 'button',
                  class: 'danger',
                  disabled: w.inUse,
                  'aria-label': `Remove workspace ${w.key}`,
                  on: { click: () => remove(w) },
                },
                'Remove',
              ),
          },
        ],
      }),
    );
  }

  root.append(messages, summary, list);
  ctx.onRefresh(load);
  await load();
}
