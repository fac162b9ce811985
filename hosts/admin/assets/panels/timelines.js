// @ts-check
import { serverNow } from '../api.js';
import { badge, callout, duration, extLink, h, time } from '../dom.js';

/**
 * The timelines of the drill-down views: a job's steps (status, duration, output), an issue's or
 * a job's events, ticket comments, and the log excerpt of a failed run. Every value is text.
 */

/** @type {Record<string, import('../dom.js').Tone>} */
const STEP_TONES = {
  succeeded: 'good',
  completed: 'good',
  success: 'good',
  running: 'info',
  started: 'info',
  failed: 'bad',
  error: 'bad',
  skipped: 'neutral',
};

/** Output beyond this many characters is cut (the API keeps the whole value). */
const OUTPUT_LIMIT = 4_000;

/**
 * One row per step, in the order the steps first reported, each with its latest report.
 * @param {any[]} steps `StepEntry` rows, oldest first
 * @param {boolean} jobRunning a step still running has its duration counted up to now
 */
export function stepTimeline(steps, jobRunning) {
  if (steps.length === 0) return callout('No step has reported yet.');
  /** @type {Map<string, any>} */
  const latest = new Map();
  for (const step of steps) latest.set(step.id, step);
  return h(
    'ol',
    { class: 'timeline steps', 'aria-label': 'Step timeline' },
    [...latest.values()].map((step) => {
      const start = Date.parse(step.started_at);
      const end = step.finished_at
        ? Date.parse(step.finished_at)
        : jobRunning && step.status === 'running'
          ? serverNow()
          : Number.NaN;
      const took = Number.isFinite(start) && Number.isFinite(end) ? duration((end - start) / 1000) : '—';
      return h(
        'li',
        { class: 'timeline-item', 'data-status': step.status },
        h(
          'div',
          { class: 'timeline-head' },
          badge(step.status, STEP_TONES[step.status] ?? 'neutral'),
          h('strong', {}, step.id),
          step.type !== step.id ? h('span', { class: 'muted' }, step.type) : null,
          h('span', { class: 'muted' }, time(step.started_at)),
          h('span', { class: 'muted', title: 'duration' }, took),
        ),
        step.output === undefined || step.output === null
          ? null
          : h('details', {}, h('summary', {}, `Output of ${step.id}`), h('pre', { class: 'output' }, outputText(step.output))),
      );
    }),
  );
}

/** @param {unknown} output */
function outputText(output) {
  const text = typeof output === 'string' ? output : JSON.stringify(output, null, 2);
  return text.length > OUTPUT_LIMIT ? `${text.slice(0, OUTPUT_LIMIT)}\n… (${text.length - OUTPUT_LIMIT} more characters)` : text;
}

/**
 * Events newest first as the API gives them for an issue, oldest first for a job: shown as given.
 * @param {any[]} events `EventRow`s
 */
export function eventTimeline(events) {
  if (events.length === 0) return callout('No event recorded.');
  return h(
    'ol',
    { class: 'timeline events', 'aria-label': 'Event timeline' },
    events.map((e) =>
      h(
        'li',
        { class: 'timeline-item' },
        h(
          'div',
          { class: 'timeline-head' },
          h('code', {}, e.type),
          h('span', { class: 'muted' }, time(e.at)),
          e.message ? h('span', {}, e.message) : null,
        ),
        e.data && Object.keys(e.data).length > 0 ? h('p', { class: 'muted event-data' }, eventData(e.data)) : null,
      ),
    ),
  );
}

/** `from: planning · to: implementing` @param {Record<string, unknown>} data */
function eventData(data) {
  return Object.entries(data)
    .map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' · ');
}

/**
 * The ticket's comments (the embedded tracker), oldest first.
 * @param {any[]} comments `{ id, body, createdAt }`
 */
export function commentList(comments) {
  if (comments.length === 0) return callout('No comments yet.');
  return h(
    'ol',
    { class: 'timeline comments', 'aria-label': 'Ticket comments' },
    comments.map((c) =>
      h(
        'li',
        { class: 'timeline-item' },
        h('div', { class: 'timeline-head' }, time(c.createdAt)),
        h('pre', { class: 'comment' }, c.body),
      ),
    ),
  );
}

const EXCERPT_HEAD = '📋 Log excerpt';

/**
 * The log excerpt of a failed run: posted on the ticket when the run fails. For the embedded
 * tracker it is read from the ticket's comments (those since the job was dispatched); for another
 * tracker, the ticket is linked.
 * @param {{ job: any, ticket: any | undefined, ticketUrl: string | undefined }} input
 */
export function logExcerpts({ job, ticket, ticketUrl }) {
  const since = Date.parse(job.dispatchedAt);
  /** @type {any[]} */
  const comments = ticket?.comments ?? [];
  const excerpts = comments.filter((c) => typeof c.body === 'string' && c.body.startsWith(EXCERPT_HEAD) && c.createdAt >= since);
  if (excerpts.length > 0) return excerpts.map((c) => h('div', {}, time(c.createdAt), h('pre', { class: 'comment' }, c.body)));
  if (ticket) {
    return callout(
      job.status === 'failed' || job.status === 'timed_out'
        ? 'No log excerpt was posted for this run (the runner sent no log).'
        : 'No log excerpt: one is posted on the ticket when a run fails or times out.',
    );
  }
  return callout(
    h(
      'span',
      {},
      'A failed run posts its log excerpt on the ticket',
      ticketUrl ? [': ', extLink(ticketUrl, `open ${job.identifier} in the tracker`)] : '.',
    ),
  );
}
