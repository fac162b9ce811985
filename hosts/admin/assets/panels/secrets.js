// @ts-check
import { api, seg } from '../api.js';
import { callout, errorBox, h, section, table } from '../dom.js';

/**
 * Platform → Secrets: per-project and global Fly app secrets. Only names are ever listed;
 * a value is written once and never read back.
 */

let managerCount = 0;

/**
 * The API's 503 text, and what to do about it: Fly app secrets need FLY_API_TOKEN and a
 * sessions app; without Fly, the local encrypted store holds secrets instead.
 * @param {string} error
 */
function flyHint(error) {
  return callout(
    h(
      'span',
      { class: 'stack' },
      h('strong', {}, error),
      h(
        'span',
        {},
        'Fly app secrets need FLY_API_TOKEN in the orchestrator’s environment and a sessions app: set FLY_SESSIONS_APP, or the ',
        h('a', { href: '#/settings' }, 'Fly sessions app in Settings'),
        '. Without Fly, keep secrets in the ',
        h('a', { href: '#/local-secrets' }, 'local encrypted store'),
        '.',
      ),
    ),
    'warn',
  );
}

/**
 * @param {{ label: string, path: string, note: string }} spec
 * `path` lists (GET) and sets (POST); `${path}/:name` deletes.
 */
function secretManager({ label, path, note }) {
  const uid = `secrets-${++managerCount}`;
  const messages = h('div', { class: 'messages' });
  const list = h('div');
  const name = h('input', { type: 'text', id: `${uid}-name`, autocomplete: 'off', spellcheck: 'false', placeholder: 'MY_TOKEN' });
  const value = h('input', { type: 'password', id: `${uid}-value`, autocomplete: 'new-password' });
  const form = h(
    'form',
    { class: 'inline-form', 'aria-label': `Set a ${label}` },
    h('div', { class: 'field' }, h('label', { for: name.id }, 'Name'), name),
    h('div', { class: 'field' }, h('label', { for: value.id }, 'Value'), value),
    h('button', { type: 'submit', class: 'primary' }, 'Set secret'),
  );
  form.noValidate = true;

  /** @param {string} text @param {boolean} good */
  const flash = (text, good) =>
    messages.replaceChildren(good ? h('p', { class: 'callout callout-good', role: 'status' }, text) : errorBox(text));

  async function load() {
    const res = await api.get(path);
    if (!res.ok) {
      // 503 "Fly sessions config not set": nothing can be listed or set until Fly is configured.
      list.replaceChildren(res.status === 503 ? flyHint(res.error) : errorBox(res.error));
      form.hidden = res.status === 503;
      return;
    }
    form.hidden = false;
    list.replaceChildren(
      table({
        caption: label,
        captionHidden: true,
        rows: /** @type {string[]} */ (res.data.secrets),
        empty: 'No secrets.',
        columns: [
          { label: 'Name', cell: (n) => h('code', {}, n) },
          {
            label: 'Actions',
            cell: (n) =>
              h(
                'button',
                {
                  type: 'button',
                  class: 'danger',
                  'aria-label': `Delete secret ${n}`,
                  on: {
                    click: async () => {
                      if (!window.confirm(`Delete secret ${n}?`)) return;
                      const del = await api.del(`${path}/${seg(n)}`);
                      flash(del.ok ? `${n} deleted.` : `${n}: ${del.error}`, del.ok);
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
    const res = await api.post(path, { name: name.value.trim(), value: value.value });
    if (res.ok) {
      flash(`${res.data.name} saved.`, true);
      name.value = '';
      value.value = '';
      await load();
    } else {
      flash(res.error, false);
    }
  });

  return { element: h('div', {}, h('p', { class: 'muted' }, note), messages, list, form), load };
}

/** @param {HTMLElement} root @param {import('./index.js').PanelContext} ctx */
export async function render(root, ctx) {
  const mappings = await api.get('/api/mappings');
  /** @type {string[]} */
  const teams = mappings.ok ? mappings.data.mappings.map((/** @type {any} */ m) => m.teamKey) : [];

  const global = secretManager({
    label: 'Global secrets',
    path: '/api/global-secrets',
    note: 'Fly app secrets that belong to no project. Their names must not start with a project’s team-key prefix.',
  });

  const teamHolder = h('div');
  /** @type {(() => Promise<void>) | undefined} */
  let teamLoad;
  const select = h(
    'select',
    { id: 'secrets-team' },
    teams.map((t) => h('option', { value: t }, t)),
  );
  const showTeam = async () => {
    const team = select.value;
    const manager = secretManager({
      label: `Secrets of ${team}`,
      path: `/api/mappings/${seg(team)}/secrets`,
      note: `Stored as Fly app secrets prefixed ${team}_ (MY_TOKEN is stored as ${team}_MY_TOKEN); sessions of ${team} receive them.`,
    });
    teamHolder.replaceChildren(manager.element);
    teamLoad = manager.load;
    await manager.load();
  };
  select.addEventListener('change', () => void showTeam());

  root.append(
    section(
      'Per-project secrets',
      teams.length === 0
        ? callout(mappings.ok ? 'No projects yet.' : mappings.error)
        : h('div', {}, h('div', { class: 'inline-form' }, h('label', { for: 'secrets-team' }, 'Project'), select), teamHolder),
    ),
    section('Global secrets', global.element),
  );
  ctx.onRefresh(async () => {
    await Promise.all([global.load(), teamLoad?.()]);
  });
  await Promise.all([global.load(), teams.length ? showTeam() : undefined]);
}
