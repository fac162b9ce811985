/**
 * A GitHub issue as the domain sees it: pure functions from the REST issue object
 * (`GET /repos/{owner}/{repo}/issues[/{n}]`) to a `TicketIssue`, and the issue reference the
 * adapter uses as the tracker id.
 *
 * - id: `owner/repo#number` — stable, and enough to find the issue again without a lookup.
 * - identifier: `TEAMKEY-number` for an issue of a mapping (it starts branch names, like
 *   Linear's `ENG-123`); `owner/repo#number` for an issue no mapping covers.
 * - stage: the lifecycle labels, as on Linear (GitHub's label names are case-insensitive, so
 *   `ai-working` counts as `AI-Working`).
 * - state: `open` or `closed`; stateType `unstarted` while open, `completed` when closed as
 *   completed, `cancelled` when closed as not planned (or as a duplicate).
 * - priority: the `Priority` issue field (GitHub issue fields: Urgent, High, Medium, Low),
 *   else a `priority: urgent|high|medium|low` label, else 0 (none) — Linear's scale.
 */
import { AI_LABELS, stageFromLinearLabels, TRIGGER_LABEL } from '../../../core/domain/lifecycle.js';
import type { BlockingRelation, TicketIssue } from '../../../core/domain/model.js';

export interface RawLabel {
  name?: string;
}

export interface RawIssue {
  id: number;
  number: number;
  title: string;
  body?: string | null;
  html_url: string;
  state: string;
  state_reason?: string | null;
  labels: (string | RawLabel)[];
  created_at: string;
  updated_at: string;
  /** Present when the "issue" is a pull request: those are never candidates. */
  pull_request?: unknown;
  issue_dependencies_summary?: { blocked_by?: number; total_blocked_by?: number };
  issue_field_values?: {
    issue_field_name?: string;
    data_type?: string;
    value?: string | number | null;
    single_select_option?: { name?: string } | null;
  }[];
}

export interface RepoRef {
  owner: string;
  repo: string;
}

export interface IssueRef extends RepoRef {
  number: number;
}

/** The lifecycle labels AI-Implement manages: the trigger and the stage labels. */
export const MANAGED_LABELS: readonly string[] = [TRIGGER_LABEL, ...AI_LABELS];

const OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/;
const REPO = /^[A-Za-z0-9._-]{1,100}$/;

export const issueId = (ref: IssueRef) => `${ref.owner}/${ref.repo}#${ref.number}`;
export const scopeKey = (ref: RepoRef) => `${ref.owner}/${ref.repo}`.toLowerCase();

/** `owner/repo#number`, checked so that nothing else reaches an API path; undefined otherwise. */
export function parseIssueId(id: string): IssueRef | undefined {
  const m = /^([^/#]+)\/([^/#]+)#([1-9]\d{0,9})$/.exec(id);
  if (!m?.[1] || !m[2] || !m[3]) return undefined;
  if (!OWNER.test(m[1]) || !REPO.test(m[2]) || m[2] === '.' || m[2] === '..') return undefined;
  return { owner: m[1], repo: m[2], number: Number(m[3]) };
}

const CANONICAL = new Map(MANAGED_LABELS.map((l) => [l.toLowerCase(), l]));

export function labelNames(raw: RawIssue): string[] {
  return raw.labels.map((l) => (typeof l === 'string' ? l : (l.name ?? ''))).filter((n) => n !== '');
}

/** The managed label a name stands for (any case), or the name itself. */
export const canonicalLabel = (name: string) => CANONICAL.get(name.toLowerCase()) ?? name;

export function isManaged(raw: RawIssue): boolean {
  return labelNames(raw).some((l) => CANONICAL.has(l.toLowerCase()));
}

export function isOpen(raw: { state: string }): boolean {
  return raw.state === 'open';
}

export function stateTypeOf(raw: RawIssue): 'unstarted' | 'completed' | 'cancelled' {
  if (isOpen(raw)) return 'unstarted';
  return raw.state_reason === 'not_planned' || raw.state_reason === 'duplicate' ? 'cancelled' : 'completed';
}

const PRIORITY: Record<string, number> = { urgent: 1, high: 2, medium: 3, low: 4 };

export function priorityOf(raw: RawIssue): number {
  const field = raw.issue_field_values?.find((f) => f.issue_field_name?.toLowerCase() === 'priority');
  const option = field?.single_select_option?.name ?? (typeof field?.value === 'string' ? field.value : undefined);
  const fromField = option ? PRIORITY[option.trim().toLowerCase()] : undefined;
  if (fromField !== undefined) return fromField;
  for (const label of labelNames(raw)) {
    const m = /^priority:\s*(urgent|high|medium|low)$/i.exec(label.trim());
    if (m?.[1]) return PRIORITY[m[1].toLowerCase()] ?? 0;
  }
  return 0;
}

/** How many issues block this one, by GitHub's summary; undefined where GitHub has no dependencies. */
export function blockerCount(raw: RawIssue): number | undefined {
  return raw.issue_dependencies_summary?.total_blocked_by;
}

/** A blocking issue: its identifier is `owner/repo#number` (it may live in another repository). */
export function toBlockingRelation(raw: RawIssue & { repository_url?: string }, fallback: RepoRef): BlockingRelation {
  const m = /\/repos\/([^/]+)\/([^/]+)$/.exec(raw.repository_url ?? '');
  const repo = m?.[1] && m[2] ? { owner: m[1], repo: m[2] } : fallback;
  return { identifier: issueId({ ...repo, number: raw.number }), open: isOpen(raw) };
}

/**
 * The issue as a `TicketIssue`. `teamKey` is the mapping that covers its repository, or
 * `owner/repo` when none does. An issue without the trigger or an AI label reads as
 * `triggered`, as on Linear: its labels tell the two apart.
 */
export function toTicketIssue(
  raw: RawIssue,
  repo: RepoRef,
  teamKey: string | undefined,
  blockedBy: BlockingRelation[],
): TicketIssue {
  const labels = labelNames(raw);
  const open = isOpen(raw);
  return {
    id: issueId({ ...repo, number: raw.number }),
    identifier: teamKey ? `${teamKey}-${raw.number}` : issueId({ ...repo, number: raw.number }),
    teamKey: teamKey ?? `${repo.owner}/${repo.repo}`,
    title: raw.title,
    ...(raw.body ? { description: raw.body } : {}),
    url: raw.html_url,
    priority: priorityOf(raw),
    createdAt: Date.parse(raw.created_at),
    stage: stageFromLinearLabels(labels.map(canonicalLabel)) ?? 'triggered',
    labels,
    state: open ? 'open' : 'closed',
    stateType: stateTypeOf(raw),
    blockedBy,
  };
}
