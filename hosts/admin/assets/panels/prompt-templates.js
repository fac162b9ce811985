// @ts-check
import { api, request, seg } from '../api.js';
import { append, badge, callout, errorBox, h, section, table, time } from '../dom.js';

/**
 * Configure → Prompt templates: the Liquid templates runs are prompted with. Built-in ones are
 * read-only (copy one into a new template); a template is edited, saved and previewed with the
 * sample variables, or with variables given as JSON over them. The API checks the syntax.
 */

/** @param {HTMLElement} root @param {import('./index.js').PanelContext} ctx */
export async function render(root, ctx) {
  const res = await api.get('/api/v1/templates');
  if (!res.ok) {
    root.append(errorBox(res.error));
    return;
  }
  /** @type {any[]} */
  const templates = res.data.templates;
  /** @type {Record<string, string>} */
  const variables = res.data.variables;

  const messages = h('div', { class: 'messages', 'aria-live': 'polite' });
  /** @param {string} text @param {boolean} good */
  const flash = (text, good) =>
    messages.replaceChildren(good ? h('p', { class: 'callout callout-good', role: 'status' }, text) : errorBox(text));

  // The editor: one form for a new template, an existing one, or a built-in shown read-only.
  const editorTitle = h('h2', { tabindex: -1 }, 'New template');
  const id = h('input', {
    type: 'text',
    id: 'template-id',
    autocomplete: 'off',
    spellcheck: 'false',
    placeholder: 'my-template',
  });
  const name = h('input', { type: 'text', id: 'template-name', autocomplete: 'off' });
  const description = h('input', { type: 'text', id: 'template-description', autocomplete: 'off' });
  const body = h('textarea', { id: 'template-body', rows: 14, spellcheck: 'false' });
  const sample = h('textarea', {
    id: 'template-variables',
    rows: 4,
    spellcheck: 'false',
    placeholder: '{ "issue": { "title": "Fix the login" } }',
  });
  const output = h('div', { 'aria-live': 'polite' });
  const saveButton = h('button', { type: 'submit', class: 'primary' }, 'Save template');
  const previewButton = h('button', { type: 'button' }, 'Preview');
  const copyButton = h('button', { type: 'button' }, 'Copy into a new template');
  const deleteButton = h('button', { type: 'button', class: 'danger' }, 'Delete');
  const newButton = h('button', { type: 'button', class: 'quiet' }, 'New template');
  const readOnlyNote = callout('Built-in templates are read-only: copy one into a new template to change it.', 'info');

  /** @type {any | undefined} the template in the editor; undefined for a new one */
  let editing;

  /** @param {any | undefined} t */
  function edit(t) {
    editing = t;
    const builtIn = Boolean(t?.builtIn);
    editorTitle.textContent = t ? `${builtIn ? 'Built-in template' : 'Template'} ${t.id}` : 'New template';
    id.value = t?.id ?? '';
    id.readOnly = Boolean(t);
    name.value = t?.name ?? '';
    description.value = t?.description ?? '';
    body.value = t?.body ?? '';
    for (const control of [name, description, body]) control.readOnly = builtIn;
    saveButton.hidden = builtIn;
    deleteButton.hidden = !t || builtIn;
    copyButton.hidden = !t;
    previewButton.hidden = !t;
    readOnlyNote.hidden = !builtIn;
    output.replaceChildren();
  }

  async function preview() {
    if (!editing) return;
    /** @type {Record<string, unknown> | undefined} */
    let vars;
    if (sample.value.trim() !== '') {
      try {
        vars = JSON.parse(sample.value);
      } catch {
        output.replaceChildren(errorBox('The variables are not JSON.'));
        return;
      }
    }
    const changed = !editing.builtIn && body.value !== editing.body;
    const answer = await api.post(`/api/v1/templates/${seg(editing.id)}/preview`, vars === undefined ? {} : { variables: vars });
    if (!answer.ok) {
      output.replaceChildren(errorBox(answer.error));
      return;
    }
    const p = answer.data;
    output.replaceChildren();
    if (changed) output.append(callout('The preview renders the saved template: save to preview your changes.', 'warn'));
    append(output, [
      p.rendered === null
        ? errorBox(
            `The render failed: ${p.error ?? 'unknown error'}${p.unresolved.length ? ` (unresolved: ${p.unresolved.join(', ')})` : ''}`,
          )
        : h('pre', { class: 'preview-output', 'aria-label': 'Rendered prompt' }, p.rendered),
      p.used.length ? h('p', { class: 'hint' }, `Reads: ${p.used.join(', ')}`) : null,
    ]);
  }

  const form = h(
    'form',
    { class: 'template-editor', 'aria-labelledby': 'template-editor-title', novalidate: true },
    readOnlyNote,
    h(
      'div',
      { class: 'field' },
      h('label', { for: id.id }, 'Id'),
      id,
      h('p', { class: 'hint' }, 'Lowercase letters, digits, dashes and underscores; fixed once created.'),
    ),
    h('div', { class: 'field' }, h('label', { for: name.id }, 'Name'), name),
    h('div', { class: 'field' }, h('label', { for: description.id }, 'Description'), description),
    h('div', { class: 'field' }, h('label', { for: body.id }, 'Body (Liquid)'), body),
    h('div', { class: 'form-actions' }, saveButton, copyButton, deleteButton, newButton),
    h(
      'div',
      { class: 'field' },
      h('label', { for: sample.id }, 'Sample variables (JSON, optional)'),
      sample,
      h('p', { class: 'hint' }, 'Leave blank to preview with the built-in samples; given values replace them.'),
    ),
    h('div', { class: 'form-actions' }, previewButton),
    output,
  );
  editorTitle.id = 'template-editor-title';

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const payload = { name: name.value, description: description.value, body: body.value };
    const saved = editing
      ? await request('PUT', `/api/v1/templates/${seg(editing.id)}`, payload)
      : await api.post('/api/v1/templates', { id: id.value.trim(), ...payload });
    if (!saved.ok) {
      flash(saved.error, false);
      return;
    }
    ctx.status(`Template ${saved.data.id} saved.`, 'good');
    const index = templates.findIndex((t) => t.id === saved.data.id);
    if (index >= 0) templates[index] = saved.data;
    else templates.push(saved.data);
    drawList();
    edit(saved.data);
    flash(`Template ${saved.data.id} saved.`, true);
  });
  previewButton.addEventListener('click', () => void preview());
  newButton.addEventListener('click', () => {
    edit(undefined);
    id.focus();
  });
  copyButton.addEventListener('click', () => {
    const from = editing;
    edit(undefined);
    name.value = from ? `${from.name} (copy)` : '';
    description.value = from?.description ?? '';
    body.value = from?.body ?? '';
    id.focus();
  });
  deleteButton.addEventListener('click', async () => {
    if (!editing || !window.confirm(`Delete template ${editing.id}?`)) return;
    const gone = await api.del(`/api/v1/templates/${seg(editing.id)}`);
    if (!gone.ok) {
      flash(gone.error, false);
      return;
    }
    const removed = editing.id;
    templates.splice(
      templates.findIndex((t) => t.id === removed),
      1,
    );
    drawList();
    edit(undefined);
    flash(`Template ${removed} deleted.`, true);
  });

  const list = h('div');
  function drawList() {
    list.replaceChildren(
      table({
        caption: 'Prompt templates',
        captionHidden: true,
        rows: templates,
        empty: 'No templates.',
        columns: [
          {
            label: 'Name',
            class: 'wrap',
            cell: (t) => h('span', { class: 'stack' }, h('strong', {}, t.name), h('code', {}, t.id)),
          },
          { label: 'Description', class: 'wrap', cell: (t) => t.description || h('span', { class: 'muted' }, '—') },
          { label: 'Kind', cell: (t) => (t.builtIn ? badge('built-in', 'neutral') : badge('custom', 'info')) },
          { label: 'Updated', cell: (t) => time(t.updatedAt) },
          {
            label: 'Actions',
            cell: (t) =>
              h(
                'button',
                {
                  type: 'button',
                  'aria-label': `${t.builtIn ? 'View' : 'Edit'} template ${t.id}`,
                  on: {
                    click: () => {
                      edit(t);
                      editorTitle.focus();
                    },
                  },
                },
                t.builtIn ? 'View' : 'Edit',
              ),
          },
        ],
      }),
    );
  }

  drawList();
  edit(undefined);
  root.append(
    messages,
    section('Templates', list),
    h('section', { class: 'block' }, editorTitle, form),
    section(
      'Variables',
      h(
        'dl',
        { class: 'facts' },
        Object.entries(variables).map(([key, meaning]) => [h('dt', {}, h('code', {}, key)), h('dd', {}, meaning)]),
      ),
    ),
  );
}
