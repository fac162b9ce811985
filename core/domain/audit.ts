/**
 * The audit trail: an append-only record of operator actions and dispatch decisions
 * (`GET /api/v1/audit`). Pure: the entry's shape, the filter and the paging.
 */

/** Entries kept: older ones are dropped on append (the store's bounded stream). */
export const AUDIT_RETENTION = 5000;
export const AUDIT_DEFAULT_LIMIT = 50;
export const AUDIT_MAX_LIMIT = 500;

/** `operator` for an admin API call, `orchestrator` for the engine's own decisions. */
export type AuditActor = 'operator' | 'orchestrator';

export interface AuditEntry {
  id: string;
  at: number;
  actor: AuditActor;
  /** What was done, `area.verb` (`config.overlay_replaced`, `template.created`, `dispatch.created`, …). */
  action: string;
  teamKey?: string;
  /** What it was done to (an overlay path, a template id, an issue identifier, a workspace key). */
  target?: string;
  /** Names and values that say what changed; never a secret value. */
  detail?: Record<string, unknown>;
}

export interface AuditFilter {
  actor?: string;
  action?: string;
  teamKey?: string;
  /** Only entries at or after this time (epoch ms). */
  since?: number;
}

export interface AuditPage {
  entries: AuditEntry[];
  /** Entries matching the filter, before paging. */
  total: number;
  limit: number;
  offset: number;
  /** How many entries the trail keeps. */
  retention: number;
}

/** `oldestFirst` as the stream holds it; the page is newest first. */
export function pageAudit(
  oldestFirst: readonly AuditEntry[],
  filter: AuditFilter,
  page: { limit: number; offset: number },
): AuditPage {
  const matching = oldestFirst
    .filter(
      (e) =>
        (filter.actor === undefined || e.actor === filter.actor) &&
        (filter.action === undefined || e.action === filter.action || e.action.startsWith(`${filter.action}.`)) &&
        (filter.teamKey === undefined || e.teamKey === filter.teamKey) &&
        (filter.since === undefined || e.at >= filter.since),
    )
    .reverse();
  return {
    entries: matching.slice(page.offset, page.offset + page.limit),
    total: matching.length,
    limit: page.limit,
    offset: page.offset,
    retention: AUDIT_RETENTION,
  };
}
