// @ts-check
import { api, seg } from '../api.js';
import { errorBox, h, section, table } from '../dom.js';

/**
 * Platform → Local secrets: the orchestrator's own secret store, encrypted at rest in its
 * storage (`/api/v1/secrets`). Names only; a value is written once and never read back.
 */

/** @param {HTMLElement} root @param {import('./index.js').PanelContext} ctx */
export async function render(root, ctx) {
  const messages = h('div', { class: 'messages', 'aria-live': 'polite' });
  const list = h('div');
  const name = h('input', {
    type: 'text',
    id: 'local-secret-name',
    autocomplete: 'off',
    spellcheck: 'false',
    placeholder: 'ANTHROPIC_API_KEY',
  });
  const value = h('input', { type: 'password', id: 'local-secret-value', autocomplete: 'new-password' });
  const form = h(
    'form',
    { class: 'inline-form', 'aria-label': 'Store a local secret', novalidate: true },
    h('div', { class: 'field' }, h('label', { for: name.id }, 'Name'), name),
    h('div', { class: 'field' }, h('label', { for: value.id }, 'Value'), value),
    h('button', { type: 'submit', class: 'primary' }, 'Store secret'),
  );

  /** @param {string} text @param {boolean} good */
  const flash = (text, good) =>
    messages.replaceChildren(good ? h('p', { class: 'callout callout-good', role: 'status' }, text) : errorBox(text));

  async function load() {
    const res = await api.get('/api/v1/secrets');
    if (!res.ok) {
      list.replaceChildren(errorBox(res.error));
      form.hidden = true;
      return;
    }
    form.hidden = false;
    list.replaceChildren(
      table({
        caption: 'Local secrets',
        captionHidden: true,
        rows: /** @type {string[]} */ (res.data.keys),
        empty: 'No local secrets.',
        columns: [
          { label: 'Name', cell: (k) => h('code', {}, k) },
          {
            label: 'Actions',
            cell: (k) =>
              h(
                'button',
                {
                  type: 'button',
                  class: 'danger',
                  'aria-label': `Delete local secret ${k}`,
                  on: {
                    click: async () => {
                      if (!window.confirm(`Delete local secret ${k}?`)) return;
                      const del = await api.del(`/api/v1/secrets/${seg(k)}`);
                      flash(del.ok ? `${k} deleted.` : `${k}: ${del.error}`, del.ok);
                      await load();
                    },
                  },
                },
                'Delete',
              ),
          },
        ],
      }),
    );
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const key = name.value.trim();
    if (key === '') {
      flash('Enter the secret’s name', false);
      return;
    }
    const res = await api.post(`/api/v1/secrets/${seg(key)}`, { value: value.value });
    if (!res.ok) {
      flash(res.error, false);
      return;
    }
    flash(`${res.data.key} stored.`, true);
    name.value = '';
    value.value = '';
    await load();
  });

  root.append(
    h(
      'p',
      { class: 'muted' },
      'Secrets kept by this orchestrator, encrypted at rest in its storage (unlocked by RUNNER_TOKEN_SECRET or ADMIN_ACCESS_CODE). Values are never shown again.',
    ),
    messages,
    section('Stored secrets', list, form),
  );
  ctx.onRefresh(load);
  await load();
}
