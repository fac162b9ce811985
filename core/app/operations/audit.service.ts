import type { Clock } from '../../../ports/clock.port.js';
import type { EventBus, OrchestratorEvent } from '../../../ports/event-bus.port.js';
import type { Ids } from '../../../ports/ids.port.js';
import type { Logger } from '../../../ports/logger.port.js';
import { type Storage, stream } from '../../../ports/storage.port.js';
import { AUDIT_RETENTION, type AuditEntry, type AuditFilter, type AuditPage, pageAudit } from '../../domain/audit.js';
import { redactDeep } from '../../domain/redaction.js';
import { type CoreSettings, secretValues } from '../core-settings.js';

export const AUDIT_STREAM = stream<AuditEntry>('audit');

export interface AuditDeps {
  storage: Storage;
  clock: Clock;
  ids: Ids;
  eventBus: EventBus;
  logger: Logger;
  config: CoreSettings;
}

export type AuditRecord = Omit<AuditEntry, 'id' | 'at'>;

export interface AuditService {
  /** Appends one entry (redacted of every configured secret value) and announces it (`audit.recorded`). */
  record(entry: AuditRecord): Promise<void>;
  list(filter: AuditFilter, page: { limit: number; offset: number }): Promise<AuditPage>;
  /** Resolves once every entry taken from the event bus so far is stored (tests). */
  idle(): Promise<void>;
  /** Stops following the event bus (container disposal). */
  dispose(): void;
}

/**
 * Operator actions and dispatch decisions the bus already announces, as audit entries: issue
 * control (abort, steer, transition, model and template overrides), mapping changes, each
 * dispatch, and the budgets' warnings and marks (`budget.warning`, `budget.reached`). Everything else is recorded by the use case that does it.
 */
function fromEvent(event: OrchestratorEvent): AuditRecord | undefined {
  const about = {
    ...(event.teamKey ? { teamKey: event.teamKey } : {}),
    ...(event.identifier ? { target: event.identifier } : {}),
  };
  if (event.type === 'job.created') {
    return { actor: 'orchestrator', action: 'dispatch.created', ...about, detail: { jobId: event.jobId, ...event.data } };
  }
  if (event.type === 'budget.warning' || event.type === 'budget.reached') {
    // Issue 17: a budget's 80 % warning and its 100 % mark, with what was spent of what.
    const target = event.jobId ?? event.teamKey ?? 'global';
    return { actor: 'orchestrator', action: event.type, ...about, target, detail: { ...event.data } };
  }
  if (event.type.startsWith('issue.') || event.type.startsWith('mapping.')) {
    const target = event.identifier ?? event.teamKey;
    const detail = 'data' in event && event.data ? { detail: event.data as Record<string, unknown> } : {};
    return { actor: 'operator', action: event.type, ...about, ...(target ? { target } : {}), ...detail };
  }
  return undefined;
}

/**
 * The audit trail (`GET /api/v1/audit`): a bounded stream in storage, so every store kind and
 * every replica shares it; the newest `AUDIT_RETENTION` entries are kept.
 */
export function createAuditService({ storage, clock, ids, eventBus, logger, config }: AuditDeps): AuditService {
  const secrets = secretValues(config);
  let pending: Promise<void> = Promise.resolve();

  async function store(entry: AuditRecord): Promise<number> {
    const full: AuditEntry = { id: ids.newId(), at: clock.now(), ...entry };
    await storage.streams.append(AUDIT_STREAM, redactDeep(full, secrets) as AuditEntry, AUDIT_RETENTION);
    return full.at;
  }

  /**
   * A change a use case records itself (a secret set, a setting saved, the runner mode, an issue
   * out of the dedup window…) is announced too, so that open admin panels redraw: the bus knows
   * nothing else of these. The action and the team only — never the target (a secret's name).
   * Sign-ins are not changes anyone's panel shows.
   */
  async function record(entry: AuditRecord): Promise<void> {
    const at = await store(entry);
    if (entry.action.startsWith('auth.')) return;
    eventBus.publish({
      type: 'audit.recorded',
      at,
      ...(entry.teamKey ? { teamKey: entry.teamKey } : {}),
      data: { action: entry.action },
    });
  }

  const unsubscribe = eventBus.subscribe((event) => {
    const entry = fromEvent(event);
    if (!entry) return;
    pending = pending
      .then(async () => void (await store(entry)))
      .catch((error: unknown) => logger.error('audit entry not stored', { action: entry.action, error }));
  });

  return {
    record,
    async list(filter, page) {
      return pageAudit(await storage.streams.list(AUDIT_STREAM), filter, page);
    },
    idle: () => pending,
    dispose: unsubscribe,
  };
}
