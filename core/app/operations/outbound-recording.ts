import type { Runner } from '../../../ports/runner.port.js';
import type { Ticketing } from '../../../ports/ticketing.port.js';
import type { ConnectorSource } from '../../domain/connector-events.js';
import type { RunnerKind, TicketingKind } from '../../domain/model.js';
import type { ConnectorEventsService } from './connector-events.service.js';

type Record = ConnectorEventsService['recordOutbound'];

const TICKETING_SOURCES: Readonly<{ [K in TicketingKind]: ConnectorSource }> = {
  linear: 'linear',
  jira: 'jira',
  github: 'github',
  local: 'tracker',
};

/**
 * `target` with its outbound calls recorded: every other member passes through untouched (a
 * proxy, so an adapter's own extras stay reachable). The record is queued (never awaited) and
 * the call's result is returned as it came.
 */
function recordingProxy<T extends object>(target: T, wrap: Partial<T>): T {
  return new Proxy(target, {
    get: (t, key) => (Object.hasOwn(wrap, key) ? (wrap as { [k: PropertyKey]: unknown })[key] : Reflect.get(t, key)),
  });
}

/** A ticketing adapter whose comments and stage moves (label or status moves) are recorded when they fail, and when they recover. */
export function recordingTicketing(kind: TicketingKind, ticketing: Ticketing, record: Record): Ticketing {
  const source = TICKETING_SOURCES[kind];
  return recordingProxy(ticketing, {
    comment: (issueId, body) =>
      ticketing
        .comment(issueId, body)
        .map((v) => {
          record({ source, event: 'comment', target: issueId, ok: true });
          return v;
        })
        .mapErr((e) => {
          record({ source, event: 'comment', target: issueId, ok: false, error: e.message });
          return e;
        }),
    moveToStage: (issue, stage, mapping) =>
      ticketing
        .moveToStage(issue, stage, mapping)
        .map((v) => {
          record({ source, event: 'move', target: issue.identifier, ok: true });
          return v;
        })
        .mapErr((e) => {
          record({ source, event: 'move', target: issue.identifier, ok: false, error: `to ${stage}: ${e.message}` });
          return e;
        }),
  });
}

/** A runner whose launches (a workflow dispatch, a machine start) are recorded when they fail, and when they recover. */
export function recordingRunner(kind: RunnerKind, runner: Runner, record: Record): Runner {
  const event = kind === 'github-actions' ? 'workflow_dispatch' : `${kind} launch`;
  return recordingProxy(runner, {
    launch: (run) =>
      runner
        .launch(run)
        .map((v) => {
          record({ source: 'runner', event, target: run.job.identifier || run.job.id, ok: true });
          return v;
        })
        .mapErr((e) => {
          record({ source: 'runner', event, target: run.job.identifier || run.job.id, ok: false, error: e.message });
          return e;
        }),
  });
}
