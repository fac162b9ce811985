// @ts-check
import { api, seg, serverNow } from '../api.js';
import {
  append,
  badge,
  callout,
  duration,
  errorBox,
  extLink,
  h,
  orDash,
  runnerName,
  section,
  statusBadge,
  time,
} from '../dom.js';
import { isEmbeddedTicket, issueLink } from '../links.js';
import { actionsSection } from './issue-actions.js';
import { eventTimeline, logExcerpts, stepTimeline } from './timelines.js';

/**
 * Work → Pipelines → one job (`#/job/<job id>`): what it is, links to its run, machine, pull
 * request and issue, the actions that apply now, its step timeline, its event timeline and the
 * log excerpt. Reads `GET /api/v1/attempts/:id` (the job, its steps and events), then the issue
 * (`GET /api/v1/:issueId`: stage, transitions) and, for the embedded tracker, the ticket's comments
 * where a failed run's log excerpt is posted.
 */

const TERMINAL = new Set(['completed', 'failed', 'timed_out', 'review_failed']);

/**
 * @param {HTMLElement} root
 * @param {import('./views.js').ViewContext} ctx
 * @param {string} jobId
 */
export async function render(root, ctx, jobId) {
  const res = await api.get(`/api/v1/attempts/${seg(jobId)}`);
  if (!res.ok) {
    root.append(errorBox(res.status === 404 ? `No job ${jobId}: it may have been pruned.` : res.error), backLink());
    return;
  }
  const job = res.data;
  ctx.setHeading(`${job.identifier} · ${job.phase} #${job.dispatchNumber}`);
  const issue = await api.get(`/api/v1/${seg(job.issueId)}`);
  const detail = issue.ok ? issue.data : undefined;
  const ticket = detail && isEmbeddedTicket(detail.url) ? await api.get(`/api/tracker/issues/${seg(job.identifier)}`) : undefined;

  const running = !TERMINAL.has(job.status);
  const started = Date.parse(job.dispatchedAt);
  const seconds = ((running ? serverNow() : Date.parse(job.updatedAt)) - started) / 1000;

  append(root, [
    h(
      'dl',
      { class: 'facts' },
      fact(
        'Status',
        h('span', { class: 'inline' }, statusBadge(job.status), job.timedOutReason ? badge(job.timedOutReason, 'bad') : null),
      ),
      fact('Issue', issueLink(job.issueId, job.identifier)),
      fact('Repository', `${job.owner}/${job.repo}`),
      fact('Runner', job.runUrl ? extLink(job.runUrl, runnerName(job.runner)) : runnerName(job.runner)),
      fact('Machine', orDash(job.machineId ?? job.runId)),
      fact('Pull request', job.prUrl ? extLink(job.prUrl, prLabel(job.prUrl)) : orDash(null)),
      fact('Dispatched', time(job.dispatchedAt)),
      fact(running ? 'Running for' : 'Took', duration(seconds)),
      fact('Job id', h('code', {}, job.id)),
    ),
    job.error ? callout(job.error, 'bad') : null,
    issue.ok ? null : callout(`The issue could not be read (${issue.error}): only the job's own actions are offered.`, 'warn'),
    actionsSection({ issueRef: job.issueId, identifier: job.identifier, detail, job, ctx }),
    section('Steps', stepTimeline(job.steps, running)),
    section('Events', eventTimeline(job.events)),
    section('Log excerpt', logExcerpts({ job, ticket: ticket?.ok ? ticket.data.issue : undefined, ticketUrl: detail?.url })),
    backLink(),
  ]);
}

/** @param {string} label @param {import('../dom.js').Child} value */
function fact(label, value) {
  return h('div', {}, h('dt', {}, label), h('dd', {}, value));
}

function backLink() {
  return h('p', {}, h('a', { href: '#/jobs' }, '← All dispatches'));
}

/** `#123` from a pull-request URL, else "PR". @param {string} url */
function prLabel(url) {
  const m = /\/pull\/(\d+)/.exec(url);
  return m ? `#${m[1]}` : 'PR';
}
