// @ts-check
import { api, seg } from '../api.js';
import { h } from '../dom.js';
import {
  BUDGETS,
  CAPS,
  checkStep,
  FIELD_STEP,
  fieldOfMessage,
  firstFailingStep,
  MESSAGES,
  parseExtraEnv,
  requestBody,
  STEPS,
} from './project-form-checks.js';

/**
 * The Projects stepper: eight steps (ticketing system, source, repository, runner, provider,
 * capacity, secrets, review) over one form. Next checks the step with the spec's rules and shows
 * each problem beside its field (project-form-checks.js); the API checks again, and a 400 takes
 * the operator back to the step that owns the field it names. Blank optional fields are left out
 * so the API applies its defaults (or, when editing, keeps the stored value); blank run caps are
 * sent as null, which clears them.
 */

/** What a blank field becomes (MAPPING_DEFAULTS of core/domain/mappings.ts), for the Review step. */
/** @type {Record<string, string>} */
const DEFAULTS = {
  branchPrefix: 'ai-implement/',
  workflowFile: 'claude-implement.yml',
  planningWorkflowFile: 'claude-plan.yml',
  machineCpus: '2',
  machineMemoryMb: '4096',
  maxInProgressAiIssues: '3',
  maxTurns: '50',
  maxIterations: 'Bedrock 2, Anthropic 3',
  maxJobMinutes: '90',
  issuesRepo: 'the repository itself',
  extraEnv: 'none',
};

/** @typedef {HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement} Control */

let formCount = 0;

/**
 * @param {{
 *   existing?: any,
 *   takenTeamKeys?: () => string[],
 *   onSaved: (mapping: any, message: string) => void,
 *   onCancel: () => void,
 * }} options
 */
export function projectForm({ existing, takenTeamKeys = () => [], onSaved, onCancel }) {
  const uid = `pf${++formCount}`;
  const editing = existing !== undefined;
  /** A new project may not take an existing one's key (the API would replace that project). */
  const taken = () => (editing ? [] : takenTeamKeys());
  /** @type {Record<string, Control>} */
  const controls = {};

  /**
   * A labelled control. @param {string} name @param {string} label @param {Control} control
   * @param {{ hint?: string, required?: boolean }} [opts]
   */
  const field = (name, label, control, opts = {}) => {
    const id = `${uid}-${name}`;
    control.id = id;
    control.setAttribute('name', name);
    if (opts.required) control.setAttribute('aria-required', 'true');
    controls[name] = control;
    const hintId = `${id}-hint`;
    control.setAttribute('aria-describedby', [opts.hint ? hintId : '', `${id}-error`].filter(Boolean).join(' '));
    return h(
      'div',
      { class: 'field', 'data-field': name },
      h('label', { for: id }, label, opts.required ? h('span', { class: 'required' }, ' (required)') : null),
      control,
      fieldError(id),
      opts.hint ? h('p', { class: 'hint', id: hintId }, opts.hint) : null,
    );
  };
  /** Where a field's own problem is shown, beside it. @param {string} id the control's id */
  const fieldError = (id) => h('p', { class: 'field-error', id: `${id}-error`, 'aria-live': 'polite' });
  /** @param {string} placeholder @param {string} [type] */
  const input = (placeholder = '', type = 'text') => h('input', { type, placeholder, autocomplete: 'off', spellcheck: 'false' });
  /** @param {string} placeholder */
  const number = (placeholder) => h('input', { type: 'number', min: 1, step: 1, inputmode: 'numeric', placeholder });
  /** @param {string} placeholder */
  const amount = (placeholder) => h('input', { type: 'number', min: 0.01, step: 0.01, inputmode: 'decimal', placeholder });
  /** @param {[string, string][]} options */
  const select = (options) =>
    h(
      'select',
      {},
      options.map(([value, label]) => h('option', { value }, label)),
    );
  /** @param {string} name @param {string} label @param {string} [hint] */
  const checkbox = (name, label, hint) => {
    const id = `${uid}-${name}`;
    const box = h('input', { type: 'checkbox', id, name });
    controls[name] = box;
    return h(
      'div',
      { class: 'field field-check' },
      box,
      h('label', { for: id }, label),
      hint ? h('p', { class: 'hint' }, hint) : null,
    );
  };

  // Step 1: the ticketing system, as radio buttons.
  const ticketingRadios = /** @type {HTMLInputElement[]} */ ([]);
  const ticketingChoices = [
    ['linear', 'Linear', 'A Linear team'],
    ['jira', 'Jira', 'A JQL clause on Jira Cloud'],
    ['github', 'GitHub Issues', "The repository's own issues (or another repository of the same owner)"],
    ['local', 'Local tracker', 'The embedded tracker of this orchestrator'],
  ].map(([value, label, hint]) => {
    const id = `${uid}-ticketing-${value}`;
    const radio = h('input', { type: 'radio', name: `${uid}-ticketing`, id, value });
    ticketingRadios.push(radio);
    return h('div', { class: 'field field-check' }, radio, h('label', { for: id }, label), h('p', { class: 'hint' }, hint));
  });
  const ticketing = () => ticketingRadios.find((r) => r.checked)?.value ?? 'linear';

  const teamKeyLabel = h('span');
  const teamKey = input('ENG');
  const sourceFields = [
    h(
      'div',
      { class: 'field', 'data-field': 'teamKey' },
      h('label', { for: `${uid}-teamKey` }, teamKeyLabel, h('span', { class: 'required' }, ' (required)')),
      teamKey,
      fieldError(`${uid}-teamKey`),
      h(
        'p',
        { class: 'hint', id: `${uid}-teamKey-hint` },
        'Letters and digits, starting with a letter. It identifies the project and prefixes its secrets.',
      ),
    ),
  ];
  teamKey.id = `${uid}-teamKey`;
  teamKey.setAttribute('aria-describedby', `${uid}-teamKey-hint ${uid}-teamKey-error`);
  teamKey.setAttribute('aria-required', 'true');
  controls.teamKey = teamKey;
  const jiraFields = h(
    'div',
    {},
    field('jql', 'JQL clause', h('textarea', { rows: 2, spellcheck: 'false' }), {
      hint: 'Scopes which Jira issues belong to this project.',
    }),
    jqlCheck(),
    field('repoFieldValue', 'Repo field value', input(), {
      hint: 'The value of the Jira repo field that selects this repository.',
    }),
  );

  /**
   * "Check JQL": asks Jira through POST /api/jira/validate-jql before the project is saved, and
   * says what it answered (valid, its message, or "Jira not configured").
   */
  function jqlCheck() {
    const result = h('p', { class: 'hint', role: 'status', 'aria-live': 'polite' });
    const button = h(
      'button',
      {
        type: 'button',
        on: {
          click: async () => {
            const jql = /** @type {Control} */ (controls.jql).value.trim();
            if (jql === '') {
              result.textContent = MESSAGES.jiraJql;
              return;
            }
            button.disabled = true;
            result.textContent = 'Checking with Jira…';
            const res = await api.post('/api/jira/validate-jql', { jql });
            button.disabled = false;
            result.textContent = res.ok ? 'Jira accepts this JQL.' : res.error;
            result.dataset.tone = res.ok ? 'good' : 'bad';
          },
        },
      },
      'Check JQL',
    );
    return h('div', { class: 'field jql-check' }, button, result);
  }

  const githubFields = h(
    'div',
    {},
    field('issuesRepo', 'Issues repository', input('web-app-issues'), {
      hint: 'Blank: the issues of the repository itself. Otherwise another repository of the same owner that holds them. Labelling an issue AI-Implement starts a run.',
    }),
  );

  const planningEnabled = checkbox('planningEnabled', 'Run the planning phase before implementation');
  /** @type {Node[][]} */
  const steps = [
    [h('p', { class: 'hint' }, 'Where the tickets come from.'), ...ticketingChoices],
    [...sourceFields, jiraFields, githubFields],
    [
      field(
        'forge',
        'Forge',
        select([
          ['github', 'GitHub'],
          ['local', 'Local repositories (on this machine)'],
        ]),
      ),
      field('owner', 'Owner', input('acme'), {
        required: true,
        hint: 'The GitHub organisation or user that owns the repository.',
      }),
      field('repo', 'Repository name', input('web-app'), { required: true }),
      field('defaultBranch', 'Default branch', input('e.g. main'), {
        required: true,
        hint: "Must match the repository's actual primary branch (commonly main, master or development).",
      }),
      field('branchPrefix', 'Branch prefix', input('ai-implement/'), { hint: 'Blank: ai-implement/' }),
    ],
    [
      field(
        'executionMode',
        'Execution mode',
        select([
          ['github-actions', 'GitHub Actions'],
          ['fly-machines', 'Fly Machines'],
        ]),
      ),
      field(
        'sessionMode',
        'Session mode',
        select([
          ['autonomous', 'Autonomous'],
          ['interactive', 'Interactive'],
          ['hybrid', 'Hybrid'],
        ]),
      ),
      field('machineCpus', 'Machine CPUs', number('2'), { hint: 'Fly Machines only. Blank: 2' }),
      field('machineMemoryMb', 'Machine memory (MB)', number('4096'), { hint: 'Fly Machines only. Blank: 4096' }),
      field('workflowFile', 'Workflow file', input('claude-implement.yml'), { hint: 'Blank: claude-implement.yml' }),
      planningEnabled,
      field('planningWorkflowFile', 'Planning workflow file', input('claude-plan.yml'), { hint: 'Blank: claude-plan.yml' }),
      checkbox('autoApprovePlans', 'Proceed to implementation automatically after planning'),
      field('extraEnv', 'Extra environment', h('textarea', { rows: 3, spellcheck: 'false', placeholder: 'KEY=value' }), {
        hint: 'One KEY=value per line, injected at dispatch. Not for secrets: use the Secrets step.',
      }),
    ],
    [
      field(
        'provider',
        'Claude provider',
        select([
          ['anthropic', 'Anthropic'],
          ['bedrock', 'Amazon Bedrock'],
        ]),
      ),
      field('awsRegion', 'AWS region', input('us-east-1'), { hint: 'Required with Bedrock.' }),
    ],
    [
      field('maxInProgressAiIssues', 'Concurrency cap', number('3'), { hint: 'Issues in progress at once. Blank: 3' }),
      field('maxTurns', 'maxTurns', number('50'), { hint: 'Maximum Claude conversation turns per run. Blank: 50' }),
      field('maxIterations', 'maxIterations', number('3'), {
        hint: 'Maximum feedback-loop iterations per run. Blank: Bedrock 2, Anthropic 3',
      }),
      field('maxJobMinutes', 'maxJobMinutes', number('90'), {
        hint: 'Wall-clock timeout before forced termination, in minutes. Blank: 90',
      }),
      field('maxCostUsd', 'maxCostUsd', amount('none'), {
        hint: 'Dollars one run may spend; the agent is stopped at it. Blank: no cap',
      }),
      field('maxTokens', 'maxTokens', number('none'), { hint: 'Tokens one run may use (every kind). Blank: no cap' }),
      field('dailyBudgetUsd', 'dailyBudgetUsd', amount('none'), {
        hint: 'Dollars this team may spend per UTC day; past it new runs wait for 00:00 UTC. Blank: no budget',
      }),
      checkbox('paused', 'Paused (no new dispatches)'),
    ],
    [],
    [],
  ];

  // Step 7: per-team secrets, set after the mapping is saved (they need the team to exist).
  const secretRows = h('div', { class: 'secret-rows' });
  let secretCount = 0;
  const addSecretRow = () => {
    const n = ++secretCount;
    const name = h('input', {
      type: 'text',
      id: `${uid}-sn${n}`,
      autocomplete: 'off',
      spellcheck: 'false',
      placeholder: 'MY_TOKEN',
    });
    const value = h('input', { type: 'password', id: `${uid}-sv${n}`, autocomplete: 'new-password' });
    const row = h(
      'div',
      { class: 'secret-row', 'data-secret': '' },
      h('div', { class: 'field' }, h('label', { for: name.id }, 'Secret name'), name),
      h('div', { class: 'field' }, h('label', { for: value.id }, 'Value'), value),
      h('button', { type: 'button', class: 'quiet', on: { click: () => row.remove() } }, 'Remove'),
    );
    secretRows.append(row);
    name.focus();
  };
  steps[6] = [
    h(
      'p',
      { class: 'hint' },
      'Optional. Stored as Fly app secrets prefixed with the team key (MY_TOKEN for ENG is ENG_MY_TOKEN), set once the project is saved. Values are never shown again.',
    ),
    secretRows,
    h('button', { type: 'button', on: { click: addSecretRow } }, 'Add a secret'),
  ];

  // Step 8: what will be sent.
  const review = h('dl', { class: 'review' });
  steps[7] = [h('p', { class: 'hint' }, 'Check the settings, then save. Blank fields use the defaults.'), review];

  const fieldsets = steps.map((children, i) =>
    h(
      'fieldset',
      { class: 'step', 'data-step': i, hidden: i !== 0 },
      h('legend', {}, `Step ${i + 1} of ${STEPS.length}: ${STEPS[i]}`),
      children,
    ),
  );
  const stepButtons = STEPS.map((title, i) =>
    h(
      'li',
      {},
      h(
        'button',
        { type: 'button', class: 'step-button', on: { click: () => jump(i) } },
        h('span', { class: 'step-no', 'aria-hidden': 'true' }, String(i + 1)),
        title,
      ),
    ),
  );
  const message = h('p', { class: 'form-message', role: 'alert' });
  const back = h('button', { type: 'button', on: { click: () => go(current - 1) } }, 'Back');
  const nextButton = h('button', { type: 'submit', class: 'primary' }, 'Next');
  const cancel = h('button', { type: 'button', class: 'quiet', on: { click: onCancel } }, 'Cancel');
  const heading = h('h2', { tabindex: -1 }, editing ? `Edit project ${existing.teamKey}` : 'New project');
  const form = h(
    'form',
    { class: 'stepper', novalidate: true, 'aria-label': editing ? `Edit project ${existing.teamKey}` : 'New project' },
    h('ol', { class: 'steps', 'aria-label': 'Steps' }, stepButtons),
    fieldsets,
    message,
    h('div', { class: 'form-actions' }, back, nextButton, cancel),
  );

  let current = 0;
  /** @param {number} step */
  function go(step) {
    current = Math.max(0, Math.min(STEPS.length - 1, step));
    fieldsets.forEach((fs, i) => {
      fs.hidden = i !== current;
    });
    stepButtons.forEach((li, i) => {
      const b = /** @type {HTMLButtonElement} */ (li.firstElementChild);
      if (i === current) b.setAttribute('aria-current', 'step');
      else b.removeAttribute('aria-current');
    });
    back.disabled = current === 0;
    nextButton.textContent = current === STEPS.length - 1 ? (editing ? 'Save changes' : 'Create project') : 'Next';
    if (current === STEPS.length - 1) fillReview();
    syncVisibility();
  }

  function syncVisibility() {
    const kind = ticketing();
    teamKeyLabel.textContent = kind === 'linear' ? 'Linear team key' : kind === 'jira' ? 'Jira project key' : 'Team key';
    jiraFields.hidden = kind !== 'jira';
    githubFields.hidden = kind !== 'github';
    const fly = controls.executionMode?.value === 'fly-machines';
    for (const name of ['machineCpus', 'machineMemoryMb'])
      form.querySelector(`[data-field="${name}"]`)?.toggleAttribute('hidden', !fly);
    form.querySelector('[data-field="awsRegion"]')?.toggleAttribute('hidden', controls.provider?.value !== 'bedrock');
    form
      .querySelector('[data-field="planningWorkflowFile"]')
      ?.toggleAttribute('hidden', !(/** @type {HTMLInputElement} */ (controls.planningEnabled).checked));
  }
  form.addEventListener('change', syncVisibility);

  /** The form as text, as the checks read it. @returns {import('./project-form-checks.js').FormValues} */
  function values() {
    const text = (/** @type {string} */ name) => controls[name]?.value.trim() ?? '';
    const checked = (/** @type {string} */ name) => /** @type {HTMLInputElement} */ (controls[name]).checked;
    return {
      ticketing: ticketing(),
      teamKey: text('teamKey'),
      jql: text('jql'),
      repoFieldValue: text('repoFieldValue'),
      issuesRepo: text('issuesRepo'),
      forge: text('forge'),
      owner: text('owner'),
      repo: text('repo'),
      defaultBranch: text('defaultBranch'),
      branchPrefix: text('branchPrefix'),
      executionMode: text('executionMode'),
      sessionMode: text('sessionMode'),
      machineCpus: text('machineCpus'),
      machineMemoryMb: text('machineMemoryMb'),
      workflowFile: text('workflowFile'),
      planningEnabled: checked('planningEnabled'),
      planningWorkflowFile: text('planningWorkflowFile'),
      autoApprovePlans: checked('autoApprovePlans'),
      extraEnv: controls.extraEnv?.value ?? '',
      provider: text('provider'),
      awsRegion: text('awsRegion'),
      maxInProgressAiIssues: text('maxInProgressAiIssues'),
      maxTurns: text('maxTurns'),
      maxIterations: text('maxIterations'),
      maxJobMinutes: text('maxJobMinutes'),
      maxCostUsd: text('maxCostUsd'),
      maxTokens: text('maxTokens'),
      dailyBudgetUsd: text('dailyBudgetUsd'),
      paused: checked('paused'),
    };
  }

  /** Clears every field's problem (all steps). */
  function clearProblems() {
    for (const el of form.querySelectorAll('.field-error')) el.textContent = '';
    for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
  }

  /**
   * Shows each problem beside its field, on its step, and moves focus to the first.
   * @param {number} step @param {import('./project-form-checks.js').Problem[]} problems
   */
  function showProblems(step, problems) {
    if (step !== current) go(step);
    clearProblems();
    for (const p of problems) {
      const control = controls[p.field];
      if (!control) continue;
      control.setAttribute('aria-invalid', 'true');
      const error = document.getElementById(`${control.id}-error`);
      if (error) error.textContent = p.message;
    }
    message.textContent =
      problems.length === 1
        ? `Step ${step + 1} (${STEPS[step]}): ${problems[0]?.message}`
        : `Step ${step + 1} (${STEPS[step]}) has ${problems.length} problems; each is shown beside its field.`;
    controls[problems[0]?.field ?? '']?.focus();
  }

  /** Next: the step must pass its checks first. */
  function next() {
    const problems = checkStep(current, values(), taken());
    if (problems.length > 0) {
      showProblems(current, problems);
      return;
    }
    clearProblems();
    message.textContent = '';
    go(current + 1);
  }

  /** A step button: back freely; forward only past steps that pass (else to the first that fails). */
  function jump(/** @type {number} */ step) {
    if (step <= current) {
      go(step);
      return;
    }
    const failing = firstFailingStep(values(), step, taken());
    if (failing) showProblems(failing.step, failing.problems);
    else {
      clearProblems();
      message.textContent = '';
      go(step);
    }
  }

  function secretsToSet() {
    return [...secretRows.querySelectorAll('[data-secret]')]
      .map((row) => {
        const [name, value] = /** @type {HTMLInputElement[]} */ ([...row.querySelectorAll('input')]);
        return { name: name?.value.trim() ?? '', value: value?.value ?? '' };
      })
      .filter((s) => s.name !== '' || s.value !== '');
  }

  /** Review: every field that applies, with its value or the default a blank one takes. */
  function fillReview() {
    const v = values();
    review.replaceChildren();
    /** @param {string} name @param {string} shown @param {boolean} [isDefault] */
    const row = (name, shown, isDefault = false) =>
      review.append(h('dt', {}, name), h('dd', { class: isDefault ? 'default' : undefined }, shown));
    /** @param {string} name */
    const textRow = (name) => {
      const value = /** @type {string} */ (v[/** @type {keyof typeof v} */ (name)]);
      if (value !== '') row(name, value);
      else if (editing && typeof existing[name] !== 'undefined') row(name, 'unchanged', true);
      else row(name, DEFAULTS[name] ? `default (${DEFAULTS[name]})` : 'none', true);
    };
    row('ticketing', v.ticketing);
    textRow('teamKey');
    if (v.ticketing === 'jira') for (const name of ['jql', 'repoFieldValue']) textRow(name);
    if (v.ticketing === 'github') textRow('issuesRepo');
    for (const name of ['forge', 'owner', 'repo', 'defaultBranch', 'branchPrefix', 'executionMode', 'sessionMode']) textRow(name);
    if (v.executionMode === 'fly-machines') for (const name of ['machineCpus', 'machineMemoryMb']) textRow(name);
    textRow('workflowFile');
    row('planningEnabled', String(v.planningEnabled));
    if (v.planningEnabled) textRow('planningWorkflowFile');
    row('autoApprovePlans', String(v.autoApprovePlans));
    const env = parseExtraEnv(v.extraEnv);
    if ('message' in env) row('extraEnv', env.message);
    else if (Object.keys(env.env).length === 0) row('extraEnv', 'none', true);
    else row('extraEnv', Object.keys(env.env).join(', '));
    textRow('provider');
    if (v.provider === 'bedrock') textRow('awsRegion');
    for (const name of ['maxInProgressAiIssues', ...CAPS]) {
      const value = /** @type {string} */ (v[/** @type {keyof typeof v} */ (name)]);
      row(name, value !== '' ? value : `default (${DEFAULTS[name]})`, value === '');
    }
    for (const name of BUDGETS) {
      const value = /** @type {Control} */ (controls[name]).value.trim();
      row(name, value !== '' ? value : 'none', value === '');
    }
    row('paused', String(v.paused));
    const secrets = secretsToSet();
    row('secrets', secrets.length ? secrets.map((s) => s.name || '(no name)').join(', ') : 'none', secrets.length === 0);
  }

  async function save() {
    const failing = firstFailingStep(values(), STEPS.length - 1, taken());
    if (failing) {
      showProblems(failing.step, failing.problems);
      return;
    }
    const built = requestBody(values());
    if ('error' in built) {
      message.textContent = built.error ?? '';
      return;
    }
    message.textContent = '';
    nextButton.disabled = true;
    const res = await api.post('/api/mappings', built.body);
    if (!res.ok) {
      nextButton.disabled = false;
      // The API's own text, e.g. "defaultBranch is required", beside the field on its step.
      const field = fieldOfMessage(res.error, values());
      const step = field === undefined ? undefined : FIELD_STEP[field];
      if (field !== undefined && step !== undefined && controls[field]) showProblems(step, [{ field, message: res.error }]);
      else message.textContent = res.error;
      return;
    }
    const mapping = res.data.mapping;
    const failures = [];
    for (const secret of secretsToSet()) {
      const set = await api.post(`/api/mappings/${seg(mapping.teamKey)}/secrets`, secret);
      if (!set.ok) failures.push(`${secret.name || '(no name)'}: ${set.error}`);
    }
    nextButton.disabled = false;
    const saved = `Project ${mapping.teamKey} ${editing ? 'saved' : 'created'}`;
    onSaved(mapping, failures.length ? `${saved}, but secrets were not set — ${failures.join('; ')}` : `${saved}.`);
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (current < STEPS.length - 1) next();
    else void save();
  });

  // Values: the stored mapping when editing; the defaults otherwise.
  const m = existing ?? {};
  const initial = /** @type {HTMLInputElement} */ (ticketingRadios.find((r) => r.value === (m.ticketing ?? 'linear')));
  initial.checked = true;
  for (const name of [
    'teamKey',
    'owner',
    'repo',
    'defaultBranch',
    'branchPrefix',
    'workflowFile',
    'planningWorkflowFile',
    'awsRegion',
    'jql',
    'repoFieldValue',
    'issuesRepo',
  ]) {
    if (typeof m[name] === 'string') /** @type {Control} */ (controls[name]).value = m[name];
  }
  for (const name of [
    'machineCpus',
    'machineMemoryMb',
    'maxInProgressAiIssues',
    'maxTurns',
    'maxIterations',
    'maxJobMinutes',
    ...BUDGETS,
  ]) {
    if (typeof m[name] === 'number') /** @type {Control} */ (controls[name]).value = String(m[name]);
  }
  /** @type {Record<string, string>} */
  const selects = { forge: 'github', executionMode: 'github-actions', sessionMode: 'autonomous', provider: 'anthropic' };
  for (const [name, fallback] of Object.entries(selects)) /** @type {Control} */ (controls[name]).value = m[name] ?? fallback;
  /** @type {HTMLInputElement} */ (controls.planningEnabled).checked = m.planningEnabled ?? true;
  /** @type {HTMLInputElement} */ (controls.autoApprovePlans).checked = m.autoApprovePlans ?? true;
  /** @type {HTMLInputElement} */ (controls.paused).checked = m.paused ?? false;
  if (m.extraEnv) {
    /** @type {Control} */ (controls.extraEnv).value = Object.entries(m.extraEnv)
      .map(([k, v]) => `${k}=${v}`)
      .join('\n');
  }
  if (editing) teamKey.readOnly = true;
  go(0);

  const container = h('section', { class: 'block form-block', 'aria-labelledby': '' }, heading, form);
  heading.id = `${uid}-title`;
  container.setAttribute('aria-labelledby', heading.id);
  return { element: container, focus: () => heading.focus() };
}
