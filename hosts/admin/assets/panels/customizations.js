// @ts-check
import { api } from '../api.js';
import { badge, bytes, callout, errorBox, h, orDash, table, time } from '../dom.js';
import { OVERRIDE_TONES } from './pipelines-steps.js';

/** Developer → Customizations: the files under custom/ and what each one shadows. */

/** @param {HTMLElement} root */
export async function render(root) {
  const res = await api.get('/api/customizations');
  if (!res.ok) {
    root.append(res.status === 404 ? callout('Customizations are not available on this orchestrator.') : errorBox(res.error));
    return;
  }
  root.append(
    table({
      caption: 'Files under custom/',
      captionHidden: true,
      rows: /** @type {any[]} */ (res.data.customizations ?? []),
      empty: 'Nothing under custom/.',
      columns: [
        { label: 'Path', cell: (c) => h('code', {}, c.path) },
        { label: 'Category', cell: (c) => c.category },
        {
          label: 'Status',
          cell: (c) => (c.status && c.status !== '—' ? badge(c.status, OVERRIDE_TONES[c.status] ?? 'neutral') : orDash(null)),
        },
        { label: 'Shadows', cell: (c) => (c.upstreamPath ? h('code', {}, c.upstreamPath) : orDash(null)) },
        { label: 'Size', numeric: true, cell: (c) => bytes(c.size) },
        { label: 'Modified', cell: (c) => time(c.modifiedAt) },
      ],
    }),
  );
}
