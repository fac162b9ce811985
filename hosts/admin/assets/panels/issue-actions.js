// @ts-check
import { api, seg } from '../api.js';
import { callout, h, section } from '../dom.js';

/**
 * The actions an operator may take on an issue now, for the job and issue views: abort and
 * steer the run in flight, the manual transitions the API offers (approve a waiting plan, retry,
 * dispatch), and the per-issue model and template overrides. Each asks for confirmation, then
 * shows the API's answer; the answer stays on screen while the view redraws (live updates).
 */

/** @typedef {import('./index.js').PanelContext} PanelContext */

/**
 * The last answer shown, kept for the route it was given on so a redraw keeps it.
 * @type {{ route: string, at: number, tone: 'good' | 'bad', text: string, json: string } | undefined}
 */
let lastAnswer;
const ANSWER_KEPT_MS = 5 * 60_000;

/** @type {Record<string, (to: string) => string>} */
const TRANSITION_LABELS = {
  approve: () => 'Approve plan and implement',
  retry: () => 'Retry (back to the queue)',
  dispatch: (to) => `Dispatch now (${to})`,
};

/**
 * @param {{
 *   issueRef: string,
 *   identifier: string,
 *   detail: any | undefined,
 *   job?: any,
 *   ctx: PanelContext,
 * }} input `detail` is `GET /api/v1/:id` (undefined when it could not be read), `job` the attempt shown
 */
export function actionsSection({ issueRef, identifier, detail, job, ctx }) {
  const base = `/api/v1/${seg(issueRef)}`;
  const answer = h('div', { class: 'action-answer', role: 'status', 'aria-live': 'polite' });
  if (lastAnswer && lastAnswer.route === window.location.hash && Date.now() - lastAnswer.at < ANSWER_KEPT_MS) {
    answer.append(answerBox(lastAnswer));
  }

  /**
   * @param {string} question
   * @param {() => Promise<import('../api.js').ApiResult>} call
   * @param {(data: any) => string} describe
   * @param {HTMLButtonElement} button
   */
  async function act(question, call, describe, button) {
    if (!window.confirm(question)) return;
    button.disabled = true;
    const res = await call();
    button.disabled = false;
    lastAnswer = {
      route: window.location.hash,
      at: Date.now(),
      tone: res.ok ? 'good' : 'bad',
      text: res.ok ? describe(res.data) : `Refused (HTTP ${res.status}): ${res.error}`,
      json: JSON.stringify(res.data ?? null),
    };
    answer.replaceChildren(answerBox(lastAnswer));
    ctx.status(lastAnswer.text, res.ok ? 'good' : 'bad');
    if (res.ok) ctx.rerender();
  }

  const inFlightJobId = detail ? detail.inFlightJobId : job && !TERMINAL.has(job.status) ? job.id : null;
  const runInFlight = inFlightJobId !== null && (!job || inFlightJobId === job.id);
  const label = job ? `${identifier} ${job.phase} #${job.dispatchNumber}` : identifier;
  const groups = [];

  if (runInFlight) {
    const reason = h('input', { id: 'abort-reason', type: 'text', autocomplete: 'off', maxlength: 500 });
    const abort = h('button', { type: 'button', class: 'danger' }, 'Abort run');
    abort.addEventListener('click', () => {
      const why = reason.value.trim();
      void act(
        `Abort ${label}? Its session is stopped and the run is recorded as failed.`,
        () => api.post(`${base}/abort`, why ? { reason: why } : {}),
        (d) => `Aborted: job ${d.jobId} is ${d.status}${d.destroyed ? ', its session destroyed' : ''}.`,
        abort,
      ).then(() => {
        reason.value = '';
      });
    });
    groups.push(
      h(
        'div',
        { class: 'action' },
        h('h3', {}, 'Abort'),
        h('label', { for: 'abort-reason' }, 'Reason (optional)'),
        h('div', { class: 'inline' }, reason, abort),
      ),
    );

    const message = h('textarea', { id: 'steer-message', rows: 3, maxlength: 10_000 });
    const send = h('button', { type: 'button' }, 'Send to the agent');
    send.addEventListener('click', () => {
      const text = message.value;
      if (text.trim() === '') {
        answer.replaceChildren(callout('Write a message for the agent first.', 'warn'));
        message.focus();
        return;
      }
      void act(
        `Send this message to the agent running ${label}?`,
        () => api.post(`${base}/steer`, { message: text }),
        (d) => `Message queued for job ${d.jobId}: the agent reads it on its next progress call.`,
        send,
      ).then(() => {
        if (lastAnswer?.tone === 'good') message.value = '';
      });
    });
    groups.push(
      h(
        'div',
        { class: 'action' },
        h('h3', {}, 'Steer'),
        h('label', { for: 'steer-message' }, 'Message to the running agent'),
        message,
        h('div', {}, send),
      ),
    );
  }

  /** @type {any[]} */
  const moves = detail ? detail.transitions.filter((/** @type {any} */ t) => t.manual && t.action !== 'abort') : [];
  if (moves.length > 0) {
    groups.push(
      h(
        'div',
        { class: 'action' },
        h('h3', {}, 'Move the issue'),
        h('p', { class: 'muted' }, `Stage now: ${detail.stageName ?? detail.stage ?? 'outside the lifecycle'}.`),
        h(
          'div',
          { class: 'inline' },
          moves.map((t) => {
            const button = h('button', { type: 'button', class: t.action === 'approve' ? 'primary' : undefined });
            button.textContent = (TRANSITION_LABELS[t.action] ?? ((/** @type {string} */ to) => `Move to ${to}`))(t.to);
            button.addEventListener('click', () =>
              act(
                `${button.textContent} for ${identifier}?`,
                () => api.post(`${base}/transition`, { to: t.to }),
                (d) =>
                  `${d.identifier}: ${d.from ?? 'outside the lifecycle'} → ${d.to} (${d.action})${d.jobId ? `, job ${d.jobId}` : ''}.`,
                button,
              ),
            );
            return button;
          }),
        ),
      ),
    );
  }

  if (detail) {
    groups.push(overrideForm('model', detail.overrides.model, base, identifier, act));
    groups.push(overrideForm('template', detail.overrides.template, base, identifier, act));
  }

  return section(
    'Actions',
    answer,
    groups.length > 0 ? h('div', { class: 'actions-grid' }, groups) : callout('No action applies to this issue now.'),
  );
}

const TERMINAL = new Set(['completed', 'failed', 'timed_out', 'review_failed']);

/**
 * @param {'model' | 'template'} field
 * @param {string | null} current
 * @param {string} base
 * @param {string} identifier
 * @param {(question: string, call: () => Promise<import('../api.js').ApiResult>, describe: (data: any) => string, button: HTMLButtonElement) => Promise<void>} act
 */
function overrideForm(field, current, base, identifier, act) {
  const id = `override-${field}`;
  const input =
    field === 'model'
      ? h('input', {
          id,
          type: 'text',
          value: current ?? '',
          autocomplete: 'off',
          maxlength: 200,
          placeholder: 'the mapping default',
        })
      : h('textarea', { id, rows: 4, maxlength: 32_000, placeholder: 'the mapping default' }, current ?? '');
  const save = h('button', { type: 'button' }, `Set ${field}`);
  const clear = h('button', { type: 'button', class: 'quiet', disabled: current === null }, `Clear ${field}`);
  const shown = (/** @type {any} */ d) =>
    d[field] === null
      ? `${d.identifier}: ${field} override cleared.`
      : `${d.identifier}: ${field} set${field === 'model' ? ` to ${d.model}` : ''}.`;
  save.addEventListener('click', () => {
    const value = input.value;
    void act(
      `Set the ${field} of ${identifier} for its next runs?`,
      () => api.post(`${base}/${field}`, { [field]: value }),
      shown,
      save,
    );
  });
  clear.addEventListener('click', () =>
    act(
      `Clear the ${field} override of ${identifier}? Its next runs use the mapping's.`,
      () => (field === 'model' ? api.post(`${base}/model`, { model: null }) : api.del(`${base}/template`)),
      shown,
      clear,
    ),
  );
  return h(
    'div',
    { class: 'action' },
    h('h3', {}, field === 'model' ? 'Model override' : 'Prompt template override'),
    h('label', { for: id }, field === 'model' ? 'Model for the next runs' : 'Template for the next runs'),
    input,
    h('div', { class: 'inline' }, save, clear),
  );
}

/** @param {{ tone: 'good' | 'bad', text: string, json: string }} a */
function answerBox(a) {
  return h(
    'div',
    { class: `callout callout-${a.tone}` },
    h('p', {}, a.text),
    h('details', {}, h('summary', {}, 'The API’s answer'), h('pre', { class: 'json' }, a.json)),
  );
}
