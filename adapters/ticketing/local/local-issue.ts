import { stageFromLinearLabels } from '../../../core/domain/lifecycle.js';
import type { TicketIssue } from '../../../core/domain/model.js';
import { collection } from '../../../ports/storage.port.js';

/** Where the embedded tracker keeps its issues in Storage (`putRecord`/`listRecords`). */
export const LOCAL_ISSUES = collection<LocalIssue>('local-issues');

export type LocalStateType = 'unstarted' | 'started' | 'completed' | 'cancelled';

export interface LocalComment {
  id: string;
  body: string;
  createdAt: number;
}

/** One issue of the embedded tracker, as stored. */
export interface LocalIssue {
  id: string;
  identifier: string;
  teamKey: string;
  title: string;
  description: string;
  priority: number;
  createdAt: number;
  updatedAt: number;
  labels: string[];
  stateType: LocalStateType;
  /** Ids of the local issues that block this one. */
  blockedBy: string[];
  comments: LocalComment[];
}

const STATE_NAMES: Record<LocalStateType, string> = {
  unstarted: 'Todo',
  started: 'In Progress',
  completed: 'Done',
  cancelled: 'Canceled',
};

export function isOpenState(stateType: LocalStateType): boolean {
  return stateType !== 'completed' && stateType !== 'cancelled';
}

/** The normalised view of a stored issue; `all` resolves blocker identifiers and states. */
export function toTicketIssue(issue: LocalIssue, all: ReadonlyMap<string, LocalIssue>, baseUrl: string): TicketIssue {
  const ticket: TicketIssue = {
    id: issue.id,
    identifier: issue.identifier,
    teamKey: issue.teamKey,
    title: issue.title,
    url: `${baseUrl}/api/tracker/issues/${encodeURIComponent(issue.identifier)}`,
    priority: issue.priority,
    createdAt: issue.createdAt,
    stage: stageFromLinearLabels(issue.labels) ?? 'triggered',
    labels: [...issue.labels],
    state: STATE_NAMES[issue.stateType],
    stateType: issue.stateType,
    blockedBy: issue.blockedBy.flatMap((id) => {
      const blocker = all.get(id);
      return blocker ? [{ identifier: blocker.identifier, open: isOpenState(blocker.stateType) }] : [];
    }),
  };
  if (issue.description) ticket.description = issue.description;
  return ticket;
}
