// @ts-check
import { api } from '../api.js';
import { badge, callout, h } from '../dom.js';

/**
 * The runner-mode toggle shared by Runners and Reaper. When RUNNER_MODE is set the stored
 * value is still saved, but the environment wins until it is removed and the process restarted;
 * the API then answers 409 with its message, shown here as is.
 */

const MODES = [
  ['default', 'default — follow each project'],
  ['gha', 'gha — GitHub Actions'],
  ['fly', 'fly — Fly Machines'],
  ['local', 'local — on this machine'],
  ['shadow', 'shadow — dry run, nothing launched'],
];

let controlCount = 0;

/**
 * @param {any} view the GET /api/runner-mode answer
 * @param {() => void} onChanged
 */
export function runnerModeControl(view, onChanged) {
  const id = `runner-mode-${++controlCount}`;
  const select = h(
    'select',
    { id, name: 'mode' },
    MODES.map(([value, label]) => h('option', { value }, label)),
  );
  select.value = view.stored ?? 'default';
  const message = h('p', { class: 'form-message', role: 'alert' });
  const form = h(
    'form',
    { class: 'inline-form' },
    h('label', { for: id }, 'Runner mode override'),
    select,
    h('button', { type: 'submit', class: 'primary' }, 'Save'),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    message.textContent = '';
    const res = await api.post('/api/runner-mode', { mode: select.value });
    if (res.ok) onChanged();
    else message.textContent = res.error;
  });
  return h(
    'div',
    { class: 'runner-mode' },
    h(
      'p',
      { class: 'inline' },
      'Effective mode: ',
      badge(view.effective, view.effective === 'shadow' ? 'warn' : 'info'),
      h(
        'span',
        { class: 'muted' },
        ` (from ${view.source === 'env' ? 'the RUNNER_MODE environment variable' : view.source === 'stored' ? 'the saved override' : 'the default'})`,
      ),
    ),
    view.envLocked
      ? callout(
          `Environment lock: RUNNER_MODE=${view.env} is set on the orchestrator and takes precedence. A mode saved here is stored but has no effect until RUNNER_MODE is removed and the orchestrator restarted.`,
          'warn',
        )
      : null,
    form,
    message,
  );
}
