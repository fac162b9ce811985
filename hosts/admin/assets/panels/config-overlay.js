// @ts-check
import { api, request, seg } from '../api.js';
import { badge, callout, errorBox, h, section, table, time } from '../dom.js';

/**
 * Platform → Configuration: every configuration key with its effective value and where it comes
 * from (default, environment, overlay), the schema's help for it, and the overlay kept in
 * storage, editable for the keys that allow it. A key the environment sets is locked: the
 * overlay's value is saved but has no effect while the variable is set.
 */

/**
 * The environment beats the overlay only for the live settings (RUNNER_MODE, FLY_SESSIONS_*),
 * and only while their variable is set; elsewhere the overlay beats the environment.
 * @param {any} k
 */
const lockedByEnv = (k) => k.envLocked && k.source === 'env';

/** @param {any} key @param {any} property */
function help(key, property) {
  const parts = [];
  if (typeof property?.description === 'string') parts.push(property.description);
  if (Array.isArray(property?.enum)) parts.push(`One of: ${property.enum.join(', ')}.`);
  if (property?.default !== undefined) parts.push(`Default: ${String(property.default)}.`);
  if (key.note) parts.push(key.note);
  return parts.length ? h('p', { class: 'hint' }, parts.join(' ')) : null;
}

/** @param {HTMLElement} root @param {import('./index.js').PanelContext} ctx */
export async function render(root, ctx) {
  const [effective, schema, overlay] = await Promise.all([
    api.get('/api/v1/config'),
    api.get('/api/v1/config/schema'),
    api.get('/api/v1/config/overlay'),
  ]);
  if (!effective.ok) {
    root.append(errorBox(effective.error));
    return;
  }
  if (!overlay.ok) {
    root.append(errorBox(overlay.error));
    return;
  }
  /** @type {Record<string, any>} */
  const properties = schema.ok ? schema.data.properties : {};
  /** @type {Record<string, string>} */
  const stored = overlay.data.overlay;
  /** @type {any[]} */
  const keys = effective.data.keys;
  const messages = h('div', { class: 'messages', 'aria-live': 'polite' });
  /** @type {Map<string, HTMLInputElement>} */
  const inputs = new Map();

  /** @param {string} text @param {boolean} good */
  const flash = (text, good) =>
    messages.replaceChildren(good ? h('p', { class: 'callout callout-good', role: 'status' }, text) : errorBox(text));

  const filter = h('input', { type: 'search', id: 'config-filter', placeholder: 'POLL, GITHUB, …', autocomplete: 'off' });
  const onlyOverlayable = h('input', { type: 'checkbox', id: 'config-editable' });

  /** @param {any} k */
  const overlayCell = (k) => {
    if (!k.overlayable) return h('span', { class: 'muted' }, k.secret ? 'secret: environment only' : 'environment only');
    const input = h('input', {
      type: 'text',
      class: 'config-value',
      id: `overlay-${k.key}`,
      'aria-label': `Overlay value of ${k.key}`,
      autocomplete: 'off',
      spellcheck: 'false',
      placeholder: lockedByEnv(k) ? 'the environment wins' : 'not set',
    });
    // The stored value as the field's default: only what the operator types counts as unsaved
    // (live-panel.js holds live redraws for unsaved text, which a pre-filled value is not).
    input.defaultValue = stored[k.key] ?? '';
    inputs.set(k.key, input);
    return input;
  };

  const rows = keys.map((k) => ({ ...k, cell: overlayCell(k) }));
  const holder = h('div');
  const draw = () => {
    const q = filter.value.trim().toUpperCase();
    const shown = rows.filter((k) => (q === '' || k.key.includes(q)) && (!onlyOverlayable.checked || k.overlayable));
    holder.replaceChildren(
      table({
        caption: 'Configuration keys',
        captionHidden: true,
        rows: shown,
        empty: 'No key matches.',
        columns: [
          { label: 'Key', class: 'wrap', cell: (k) => h('div', {}, h('code', {}, k.key), help(k, properties[k.key])) },
          {
            label: 'In force',
            class: 'wrap',
            cell: (k) =>
              h(
                'span',
                { class: 'stack' },
                k.value === null ? h('span', { class: 'muted' }, 'unset') : h('code', {}, k.value),
                h(
                  'span',
                  { class: 'inline' },
                  badge(k.source, k.source === 'overlay' ? 'info' : k.source === 'env' ? 'warn' : 'neutral'),
                  k.restartRequired ? badge('restart needed', 'warn') : null,
                ),
              ),
          },
          { label: 'Overlay', cell: (k) => k.cell },
          {
            label: 'Lock',
            cell: (k) =>
              lockedByEnv(k)
                ? badge(`${k.key} is set in the environment`, 'warn')
                : h('span', { class: 'muted' }, k.envLocked ? 'the variable would win' : '—'),
          },
          { label: 'Applies', cell: (k) => (k.apply === 'live' ? badge('live', 'good') : badge('at restart', 'neutral')) },
          {
            label: 'Actions',
            cell: (k) =>
              k.key in stored
                ? h(
                    'button',
                    {
                      type: 'button',
                      'aria-label': `Remove ${k.key} from the overlay`,
                      on: { click: () => void removeKey(k.key) },
                    },
                    'Remove',
                  )
                : null,
          },
        ],
      }),
    );
  };
  filter.addEventListener('input', draw);
  onlyOverlayable.addEventListener('change', draw);

  /** @param {string} key */
  async function removeKey(key) {
    if (!window.confirm(`Remove ${key} from the overlay?`)) return;
    const res = await api.del(`/api/v1/config/overlay/${seg(key)}`);
    if (!res.ok) {
      flash(`${key}: ${res.error}`, false);
      return;
    }
    ctx.status(`${key} removed from the overlay.`, 'good');
    ctx.rerender();
  }

  const save = h('button', { type: 'submit', class: 'primary' }, 'Save overlay');
  const form = h(
    'form',
    { 'aria-label': 'Configuration overlay', novalidate: true },
    h(
      'div',
      { class: 'panel-filters' },
      h('div', { class: 'field' }, h('label', { for: filter.id }, 'Filter keys'), filter),
      h(
        'div',
        { class: 'field field-check' },
        onlyOverlayable,
        h('label', { for: onlyOverlayable.id }, 'Only keys the overlay may set'),
      ),
    ),
    holder,
    h('div', { class: 'form-actions' }, save),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    /** @type {Record<string, string>} */
    const body = {};
    for (const [key, input] of inputs) if (input.value.trim() !== '') body[key] = input.value.trim();
    save.disabled = true;
    const res = await request('PUT', '/api/v1/config/overlay', body);
    save.disabled = false;
    if (!res.ok) {
      flash(res.error, false); // names the offending key
      return;
    }
    const locked = res.data.envLocked.map((/** @type {any} */ l) => l.message);
    ctx.status(locked.length ? `Overlay saved. ${locked.join(' ')}` : 'Overlay saved.', locked.length ? 'info' : 'good');
    ctx.rerender();
  });

  const notes = [];
  if (overlay.data.updatedAt) notes.push(h('p', { class: 'muted' }, 'Overlay last saved ', time(overlay.data.updatedAt), '.'));
  if (overlay.data.envLocked.length)
    notes.push(
      callout(
        h(
          'span',
          { class: 'stack' },
          overlay.data.envLocked.map((/** @type {any} */ l) => `${l.key}: ${l.message}`),
        ),
        'warn',
      ),
    );
  if (overlay.data.restartRequired.length)
    notes.push(callout(`Take effect at the next start: ${overlay.data.restartRequired.join(', ')}.`, 'info'));
  if (!schema.ok) notes.push(callout(`The schema’s help is unavailable: ${schema.error}`, 'warn'));

  root.append(
    h(
      'p',
      { class: 'muted' },
      'Effective value = default ← environment ← overlay. The overlay is stored (shared by replicas, kept across restarts); an environment variable that is set beats it. Secrets and the storage location come from the environment only.',
    ),
    ...notes,
    messages,
    section('Keys', form),
  );
  draw();
}
