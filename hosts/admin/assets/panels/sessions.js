// @ts-check
import { api, seg } from '../api.js';
import { badge, duration, errorBox, h, orDash, stack, table } from '../dom.js';
import { issueLink, jobLink } from '../links.js';

/**
 * Platform → Sessions: live Fly Machine sessions. Destroying one also resets its issue (the
 * in-progress marker goes) and clears it from the dedup window so the next poll can pick it up.
 */

/** @param {HTMLElement} root @param {import('./index.js').PanelContext} ctx */
export async function render(root, ctx) {
  const messages = h('div', { class: 'messages' });
  const list = h('div');

  /** @param {any} s */
  async function destroy(s) {
    if (!window.confirm(`Destroy session ${s.machineId}${s.issueIdentifier ? ` (${s.issueIdentifier})` : ''}?`)) return;
    const res = await api.del(`/api/sessions/${seg(s.machineId)}`);
    if (res.ok) {
      const d = res.data;
      const parts = [`Session ${d.machineId} destroyed.`];
      if (d.issueIdentifier)
        parts.push(`${d.issueIdentifier}${d.issueReset ? ' reset' : ''}${d.dedupCleared ? ', dedup cleared' : ''}.`);
      messages.replaceChildren(h('p', { class: 'callout callout-good', role: 'status' }, parts.join(' ')));
    } else {
      messages.replaceChildren(errorBox(res.error));
    }
    await load();
  }

  async function load() {
    const res = await api.get('/api/sessions');
    if (!res.ok) {
      list.replaceChildren(errorBox(res.error));
      return;
    }
    list.replaceChildren(
      table({
        caption: 'Fly Machine sessions in started, starting or created state',
        captionHidden: true,
        rows: /** @type {any[]} */ (res.data.sessions),
        empty: 'No live sessions (or Fly sessions are not configured).',
        columns: [
          {
            label: 'Machine',
            cell: (s) => stack(h('code', {}, s.machineId), h('span', { class: 'muted' }, s.name)),
          },
          { label: 'State', cell: (s) => badge(s.state, s.state === 'started' ? 'good' : 'info') },
          { label: 'Region', cell: (s) => orDash(s.region) },
          { label: 'Uptime', numeric: true, cell: (s) => duration(s.uptimeSeconds) },
          {
            label: 'Issue',
            // The issue (its view links out to the ticket), and the session's job when it names one.
            cell: (s) =>
              s.issueIdentifier
                ? h(
                    'span',
                    { class: 'inline' },
                    issueLink(s.issueIdentifier, s.issueIdentifier),
                    s.jobId ? jobLink(s.jobId, 'job') : null,
                  )
                : s.jobId
                  ? jobLink(s.jobId, 'job')
                  : orDash(null),
          },
          { label: 'Repo', cell: (s) => orDash(s.repo) },
          {
            label: 'Actions',
            cell: (s) =>
              h(
                'button',
                {
                  type: 'button',
                  class: 'danger',
                  'aria-label': `Destroy session ${s.machineId}`,
                  on: { click: () => destroy(s) },
                },
                'Destroy',
              ),
          },
        ],
      }),
    );
  }

  root.append(messages, list);
  ctx.onRefresh(load);
  await load();
}
