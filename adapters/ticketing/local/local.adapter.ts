import { errAsync, okAsync, ResultAsync } from 'neverthrow';
import { AI_LABELS, linearLabelsForStage, TRIGGER_LABEL } from '../../../core/domain/lifecycle.js';
import type { Mapping, Stage, TicketIssue } from '../../../core/domain/model.js';
import type { ServiceError } from '../../../ports/errors.js';
import type { Ticketing } from '../../../ports/ticketing.port.js';
import { type LocalIssue, toTicketIssue } from './local-issue.js';
import type { LocalTrackerStore } from './local-tracker.store.js';

export interface LocalTicketingDeps {
  store: LocalTrackerStore;
  /** The orchestrator's public URL; issue links point at its tracker API. */
  publicUrl: string;
}

const LIFECYCLE_LABELS: ReadonlySet<string> = new Set([TRIGGER_LABEL, ...AI_LABELS]);

const storageFailure = (error: unknown): ServiceError => ({
  kind: 'unavailable',
  message: error instanceof Error ? error.message : String(error),
});

/**
 * The embedded tracker as a Ticketing adapter: the same lifecycle labels as Linear, kept in
 * Storage, so the orchestrator runs end to end with no accounts. A mapping's scope is its
 * team key; candidates are the team's issues carrying the trigger or any AI label.
 */
export function createLocalTicketing({ store, publicUrl }: LocalTicketingDeps): Ticketing {
  const baseUrl = publicUrl.replace(/\/+$/, '');
  const view = (issue: LocalIssue, all: LocalIssue[]) => toTicketIssue(issue, new Map(all.map((i) => [i.id, i])), baseUrl);

  return {
    kind: 'local',

    listCandidates(mapping: Mapping) {
      const teamKey = mapping.teamKey.toUpperCase();
      return ResultAsync.fromPromise(store.all(), storageFailure).map((all) =>
        all
          .filter((issue) => issue.teamKey === teamKey && issue.labels.some((label) => LIFECYCLE_LABELS.has(label)))
          .map((issue) => view(issue, all)),
      );
    },

    listUnmapped(mappings) {
      const mapped = new Set(mappings.map((m) => m.teamKey.toUpperCase()));
      return ResultAsync.fromPromise(store.all(), storageFailure).map((all) =>
        all
          .filter((issue) => !mapped.has(issue.teamKey) && issue.labels.includes(TRIGGER_LABEL))
          .map((issue) => view(issue, all)),
      );
    },

    getIssue(id: string) {
      return ResultAsync.fromPromise(Promise.all([store.find(id), store.all()]), storageFailure).andThen(([issue, all]) =>
        issue
          ? okAsync(view(issue, all))
          : errAsync<TicketIssue, ServiceError>({ kind: 'notFound', message: `Issue ${id} not found` }),
      );
    },

    moveToStage(issue: TicketIssue, stage: Stage) {
      return ResultAsync.fromPromise(
        store.update(issue.id, (current) => ({ ...current, labels: linearLabelsForStage(current.labels, stage) })),
        storageFailure,
      ).andThen((updated) =>
        updated
          ? okAsync(undefined)
          : errAsync<void, ServiceError>({ kind: 'notFound', message: `Issue ${issue.identifier} not found` }),
      );
    },

    comment(issueId: string, body: string) {
      return ResultAsync.fromPromise(store.addComment(issueId, body), storageFailure).andThen((comment) =>
        comment ? okAsync(undefined) : errAsync<void, ServiceError>({ kind: 'notFound', message: `Issue ${issueId} not found` }),
      );
    },
  };
}
