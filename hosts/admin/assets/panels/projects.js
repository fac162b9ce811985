// @ts-check
import { api, seg } from '../api.js';
import { badge, errorBox, h, orDash, runnerName, stack, table } from '../dom.js';
import { projectForm } from './project-form.js';

/**
 * Configure → Projects: the project mappings, with the stepper to create or edit one, and the
 * row actions the API offers: cap and pause (PATCH), workflow sync, delete.
 */

/** @param {HTMLElement} root @param {import('./index.js').PanelContext} ctx */
export async function render(root, ctx) {
  const messages = h('div', { class: 'messages' });
  const formHolder = h('div');
  const list = h('div');
  const newButton = h('button', { type: 'button', class: 'primary', on: { click: () => openForm() } }, '+ New project');
  const toolbar = h('div', { class: 'toolbar' }, newButton);
  /** The team keys listed now: a new project must not reuse one. @type {string[]} */
  let teamKeys = [];

  /** @param {string} text @param {'good' | 'bad'} tone */
  const flash = (text, tone) => {
    messages.replaceChildren(tone === 'bad' ? errorBox(text) : h('p', { class: 'callout callout-good', role: 'status' }, text));
  };

  /** @param {any} [existing] */
  function openForm(existing) {
    const form = projectForm({
      existing,
      takenTeamKeys: () => teamKeys,
      onSaved: (_mapping, message) => {
        formHolder.replaceChildren();
        toolbar.hidden = false;
        flash(message, message.includes('not set') ? 'bad' : 'good');
        void load();
        newButton.focus();
      },
      onCancel: () => {
        formHolder.replaceChildren();
        toolbar.hidden = false;
        newButton.focus();
      },
    });
    messages.replaceChildren();
    formHolder.replaceChildren(form.element);
    toolbar.hidden = true;
    form.focus();
  }

  /** @param {string} teamKey @param {Record<string, unknown>} patch @param {string} done */
  async function patch(teamKey, patch, done) {
    const res = await api.patch(`/api/mappings/${seg(teamKey)}`, patch);
    if (res.ok) flash(done, 'good');
    else flash(`${teamKey}: ${res.error}`, 'bad');
    await load();
  }

  async function load() {
    const res = await api.get('/api/mappings');
    if (!res.ok) {
      list.replaceChildren(errorBox(res.error));
      return;
    }
    /** @type {any[]} */
    const mappings = res.data.mappings;
    teamKeys = mappings.map((m) => m.teamKey);
    list.replaceChildren(
      table({
        caption: `Project mappings (${mappings.length})`,
        rows: mappings,
        empty: 'No projects yet. Create one to start dispatching.',
        columns: [
          { label: 'Project', cell: (m) => h('strong', {}, m.teamKey) },
          {
            label: 'Ticketing',
            cell: (m) =>
              stack(
                m.ticketing === 'github' ? 'GitHub Issues' : m.ticketing,
                m.jql
                  ? h('code', { class: 'muted' }, m.jql)
                  : m.ticketing === 'github'
                    ? h('span', { class: 'muted' }, `${m.owner}/${m.issuesRepo ?? m.repo}`)
                    : null,
              ),
          },
          {
            label: 'Repository',
            cell: (m) => stack(`${m.owner}/${m.repo}`, h('span', { class: 'muted' }, `${m.forge} · ${m.defaultBranch}`)),
          },
          {
            label: 'Runner',
            cell: (m) => stack(runnerName(m.executionMode), h('span', { class: 'muted' }, m.sessionMode)),
          },
          { label: 'Provider', cell: (m) => stack(m.provider, orDash(m.awsRegion)) },
          { label: 'Cap', cell: (m) => capEditor(m) },
          {
            label: 'State',
            cell: (m) =>
              h(
                'span',
                { class: 'inline' },
                m.paused ? badge('paused', 'warn') : badge('active', 'good'),
                h(
                  'button',
                  {
                    type: 'button',
                    'aria-label': `${m.paused ? 'Resume' : 'Pause'} ${m.teamKey}`,
                    on: {
                      click: () => patch(m.teamKey, { paused: !m.paused }, `${m.teamKey} ${m.paused ? 'resumed' : 'paused'}.`),
                    },
                  },
                  m.paused ? 'Resume' : 'Pause',
                ),
              ),
          },
          {
            label: 'Actions',
            cell: (m) =>
              h(
                'span',
                { class: 'inline' },
                h('button', { type: 'button', 'aria-label': `Edit ${m.teamKey}`, on: { click: () => openForm(m) } }, 'Edit'),
                h(
                  'button',
                  { type: 'button', 'aria-label': `Sync workflows of ${m.teamKey}`, on: { click: () => sync(m.teamKey) } },
                  'Sync workflows',
                ),
                h(
                  'button',
                  {
                    type: 'button',
                    class: 'danger',
                    'aria-label': `Delete ${m.teamKey}`,
                    on: { click: () => remove(m.teamKey) },
                  },
                  'Delete',
                ),
              ),
          },
        ],
      }),
    );
  }

  /** @param {any} m */
  function capEditor(m) {
    const id = `cap-${m.teamKey}`;
    const input = h('input', { type: 'number', id, min: 1, step: 1, value: m.maxInProgressAiIssues, class: 'narrow' });
    const form = h(
      'form',
      {
        class: 'inline',
        on: {
          submit: (/** @type {SubmitEvent} */ event) => {
            event.preventDefault();
            void patch(m.teamKey, { maxInProgressAiIssues: Number(input.value) }, `${m.teamKey} cap set to ${input.value}.`);
          },
        },
      },
      h('label', { for: id, class: 'visually-hidden' }, `Concurrency cap of ${m.teamKey}`),
      input,
      h('button', { type: 'submit', 'aria-label': `Save cap of ${m.teamKey}` }, 'Set'),
    );
    form.noValidate = true;
    return form;
  }

  /** @param {string} teamKey */
  async function sync(teamKey) {
    ctx.status(`Syncing workflow templates of ${teamKey}…`);
    const res = await api.post(`/api/mappings/${seg(teamKey)}/sync-workflows`);
    if (res.ok)
      flash(
        `${teamKey}: ${res.data.files?.length ?? 0} workflow files written to ${res.data.repository} (${res.data.branch}).`,
        'good',
      );
    else flash(`${teamKey}: ${res.error}`, 'bad');
    ctx.status('');
  }

  /** @param {string} teamKey */
  async function remove(teamKey) {
    if (!window.confirm(`Delete project ${teamKey}? Its issues will no longer be dispatched.`)) return;
    const res = await api.del(`/api/mappings/${seg(teamKey)}`);
    if (res.ok) flash(`${teamKey} deleted.`, 'good');
    else flash(`${teamKey}: ${res.status === 404 ? 'no such project' : res.error}`, 'bad');
    await load();
  }

  root.append(toolbar, messages, formHolder, list);
  ctx.onRefresh(load); // Refresh reloads the list, never a half-filled form
  await load();
}
