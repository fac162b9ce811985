// @ts-check
import { api } from '../api.js';
import { badge, errorBox, h } from '../dom.js';

/**
 * Platform → Settings: flySessionsApp and flySessionsRegion. An environment variable beats the
 * stored value; the panel shows both and says which wins.
 */

/** @type {Record<string, { label: string, hint: string, placeholder: string }>} */
const FIELDS = {
  flySessionsApp: {
    label: 'Fly sessions app',
    hint: 'The Fly.io app that runs Fly Machine sessions.',
    placeholder: 'my-sessions-app',
  },
  flySessionsRegion: {
    label: 'Fly sessions region',
    hint: 'The default region for new sessions (three letters).',
    placeholder: 'ord',
  },
};

/** @param {HTMLElement} root @param {import('./index.js').PanelContext} ctx */
export async function render(root, ctx) {
  const res = await api.get('/api/settings');
  if (!res.ok) {
    root.append(errorBox(res.error));
    return;
  }
  /** @type {Record<string, any>} */
  const settings = res.data.settings;
  const message = h('p', { class: 'form-message', role: 'alert' });
  /** @type {Record<string, HTMLInputElement>} */
  const inputs = {};

  const fields = Object.entries(FIELDS).map(([key, f]) => {
    const view = settings[key] ?? {};
    const input = h('input', {
      type: 'text',
      id: `setting-${key}`,
      name: key,
      placeholder: f.placeholder,
      autocomplete: 'off',
      spellcheck: 'false',
    });
    // The stored value as the field's default: only what the operator types counts as unsaved
    // (live-panel.js holds live redraws for unsaved text, which a pre-filled value is not).
    input.defaultValue = view.stored ?? '';
    inputs[key] = input;
    return h(
      'div',
      { class: 'field setting' },
      h('label', { for: input.id }, f.label, ' ', h('code', { class: 'muted' }, key)),
      input,
      h('p', { class: 'hint' }, f.hint),
      h(
        'p',
        { class: 'inline' },
        'In force: ',
        view.runtime ? h('code', {}, view.runtime) : h('span', { class: 'muted' }, 'unset'),
        view.envOverride
          ? badge(`${view.envVar} overrides the stored value`, 'warn')
          : h('span', { class: 'muted' }, ` (env ${view.envVar} not set)`),
      ),
    );
  });

  const form = h(
    'form',
    { class: 'settings-form block', 'aria-label': 'Orchestrator settings' },
    fields,
    message,
    h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'primary' }, 'Save settings')),
  );
  form.noValidate = true;
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    message.textContent = '';
    /** @type {Record<string, string | null>} */
    const body = {};
    for (const [key, input] of Object.entries(inputs)) body[key] = input.value.trim() === '' ? null : input.value.trim();
    const saved = await api.post('/api/settings', body);
    if (!saved.ok) {
      message.textContent = saved.error;
      return;
    }
    ctx.status('Settings saved.', 'good');
    ctx.rerender();
  });
  root.append(form);
}
