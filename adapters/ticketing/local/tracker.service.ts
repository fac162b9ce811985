import { err, ok, type Result } from 'neverthrow';
import type { ReconcileService } from '../../../core/app/dispatch/reconcile.service.js';
import type { ConnectorEventsService } from '../../../core/app/operations/connector-events.service.js';
import type { Clock } from '../../../ports/clock.port.js';
import type { LocalIssue, LocalStateType } from './local-issue.js';
import type { LocalIssuePatch, LocalTrackerStore, NewLocalIssue } from './local-tracker.store.js';

export interface TrackerDeps {
  trackerStore: LocalTrackerStore;
  reconcile: ReconcileService;
  /** Each change is recorded in the connector event log, as a webhook delivery would be. */
  connectorEvents?: Pick<ConnectorEventsService, 'recordInbound'>;
  clock?: Clock;
}

export type TrackerError = { kind: 'invalid'; message: string } | { kind: 'issueNotFound' };

export interface TrackerService {
  list(teamKey?: string): Promise<LocalIssue[]>;
  get(ref: string): Promise<Result<LocalIssue, TrackerError>>;
  create(input: NewLocalIssue): Promise<Result<LocalIssue, TrackerError>>;
  update(ref: string, patch: LocalIssuePatch): Promise<Result<LocalIssue, TrackerError>>;
  addLabel(ref: string, label: string): Promise<Result<LocalIssue, TrackerError>>;
  removeLabel(ref: string, label: string): Promise<Result<LocalIssue, TrackerError>>;
  comment(ref: string, body: string): Promise<Result<{ id: string; body: string; createdAt: number }, TrackerError>>;
  remove(ref: string): Promise<boolean>;
}

export const LOCAL_STATE_TYPES: readonly LocalStateType[] = ['unstarted', 'started', 'completed', 'cancelled'];

/**
 * The embedded tracker's own API (what a person does in Linear: create, edit, label, comment).
 * A change to an issue reconciles its team at once, as a Linear webhook would.
 */
export function createTrackerService({ trackerStore, reconcile, connectorEvents, clock }: TrackerDeps): TrackerService {
  const touched = (issue: LocalIssue, action: string) => {
    void reconcile.request([issue.teamKey]).catch(() => undefined);
    const at = clock?.now() ?? Date.now();
    connectorEvents?.recordInbound({
      source: 'tracker',
      deliveryId: `${issue.identifier}@${at}`,
      event: 'issue',
      action,
      receivedAt: at,
      signature: 'not_applicable',
      outcome: 'acted',
      caused: { teams: [issue.teamKey] },
    });
    return issue;
  };
  const found = (issue: LocalIssue | undefined | { missing: string }, action: string): Result<LocalIssue, TrackerError> => {
    if (!issue) return err({ kind: 'issueNotFound' });
    if ('missing' in issue) return err({ kind: 'invalid', message: `blockedBy: no issue ${issue.missing}` });
    return ok(touched(issue, action));
  };

  return {
    async list(teamKey) {
      const all = await trackerStore.all();
      const wanted = teamKey?.toUpperCase();
      return all
        .filter((issue) => !wanted || issue.teamKey === wanted)
        .sort(
          (a, b) => a.teamKey.localeCompare(b.teamKey) || a.createdAt - b.createdAt || a.identifier.localeCompare(b.identifier),
        );
    },
    async get(ref) {
      const issue = await trackerStore.find(ref);
      return issue ? ok(issue) : err({ kind: 'issueNotFound' });
    },
    async create(input) {
      return found(await trackerStore.create(input), 'created');
    },
    async update(ref, patch) {
      return found(await trackerStore.patch(ref, patch), 'updated');
    },
    async addLabel(ref, label) {
      return found(
        await trackerStore.update(ref, (issue) => ({ ...issue, labels: [...new Set([...issue.labels, label])] })),
        'labeled',
      );
    },
    async removeLabel(ref, label) {
      return found(
        await trackerStore.update(ref, (issue) => ({ ...issue, labels: issue.labels.filter((l) => l !== label) })),
        'unlabeled',
      );
    },
    async comment(ref, body) {
      const comment = await trackerStore.addComment(ref, body);
      return comment ? ok(comment) : err({ kind: 'issueNotFound' });
    },
    remove: (ref) => trackerStore.remove(ref),
  };
}
