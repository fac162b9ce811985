import { stageFromJiraStatus } from '../../../core/domain/lifecycle.js';
import type { BlockingRelation, TicketIssue } from '../../../core/domain/model.js';

/** The fields the adapter asks Jira for, and how a Jira issue reads as a `TicketIssue`. */

export const ISSUE_FIELDS = ['summary', 'status', 'priority', 'created', 'issuelinks', 'labels'];

interface RawStatus {
  name?: string;
  statusCategory?: { key?: string };
}

interface RawLinkedIssue {
  key?: string;
  fields?: { status?: RawStatus };
}

export interface RawIssue {
  id: string;
  key: string;
  fields?: {
    summary?: string;
    status?: RawStatus;
    priority?: { name?: string } | null;
    created?: string;
    labels?: string[];
    issuelinks?: {
      type?: { name?: string; inward?: string };
      inwardIssue?: RawLinkedIssue;
      outwardIssue?: RawLinkedIssue;
    }[];
    project?: { key?: string };
  };
}

/** Jira's default priority scheme onto Linear's scale (0 none, 1 urgent … 4 low). */
const PRIORITY: Record<string, number> = { highest: 1, high: 2, medium: 3, low: 4, lowest: 4 };

/** Linear's scale back onto Jira's names (for seeding and for callers that set one). */
export const JIRA_PRIORITY_NAME: Record<number, string | null> = { 0: null, 1: 'Highest', 2: 'High', 3: 'Medium', 4: 'Low' };

const STATE_TYPE: Record<string, string> = { new: 'unstarted', indeterminate: 'started', done: 'completed' };

/** Jira's timestamps (`2025-01-02T03:04:05.678+0000`) have an offset without a colon. */
export function parseJiraDate(value: string | undefined): number {
  if (!value) return 0;
  const ms = Date.parse(value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  return Number.isNaN(ms) ? 0 : ms;
}

const isBlocksLink = (type: { name?: string; inward?: string } | undefined) =>
  type?.name?.toLowerCase() === 'blocks' || type?.inward?.toLowerCase() === 'is blocked by';

/**
 * On issue B, a "Blocks" link with an `inwardIssue` A reads "B is blocked by A"; with an
 * `outwardIssue` it reads "B blocks …", which does not block B. A blocker is open until its
 * status is in Jira's `done` category.
 */
function blockersOf(raw: RawIssue): BlockingRelation[] {
  const seen = new Set<string>();
  const out: BlockingRelation[] = [];
  for (const link of raw.fields?.issuelinks ?? []) {
    const blocker = link.inwardIssue;
    if (!isBlocksLink(link.type) || !blocker?.key || seen.has(blocker.key)) continue;
    seen.add(blocker.key);
    out.push({ identifier: blocker.key, open: blocker.fields?.status?.statusCategory?.key !== 'done' });
  }
  return out;
}

/**
 * An issue outside the lifecycle statuses (`To Do`, `Done`, …) has no stage of its own; it
 * reads as `triggered` with `state` giving its real status. Candidates never include one.
 */
export function toTicketIssue(raw: RawIssue, host: string, teamKey?: string): TicketIssue {
  const fields = raw.fields ?? {};
  const statusName = fields.status?.name ?? '';
  const stage = stageFromJiraStatus(statusName) ?? 'triggered';
  const issue: TicketIssue = {
    id: raw.id,
    identifier: raw.key,
    teamKey: teamKey ?? fields.project?.key ?? raw.key.split('-')[0] ?? '',
    title: fields.summary ?? '',
    url: `${host.replace(/\/+$/, '')}/browse/${raw.key}`,
    priority: PRIORITY[fields.priority?.name?.toLowerCase() ?? ''] ?? 0,
    createdAt: parseJiraDate(fields.created),
    stage,
    labels: [...(fields.labels ?? [])],
    state: statusName,
    blockedBy: blockersOf(raw),
  };
  const category = fields.status?.statusCategory?.key;
  if (category && STATE_TYPE[category]) issue.stateType = STATE_TYPE[category];
  return issue;
}
