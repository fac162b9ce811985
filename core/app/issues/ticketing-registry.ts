import type { Ticketing } from '../../../ports/ticketing.port.js';
import type { TicketingKind } from '../../domain/model.js';

/**
 * The ticketing adapters this orchestrator has connections for, by kind. A mapping whose
 * tracker is not configured cannot be served; `describeMissing` says what to set.
 */
export interface TicketingRegistry {
  get(kind: TicketingKind): Ticketing | undefined;
  kinds(): TicketingKind[];
}

const HOW_TO_CONFIGURE: Record<TicketingKind, string> = {
  linear: 'set LINEAR_API_KEY',
  jira: 'set JIRA_HOST, JIRA_EMAIL and JIRA_API_TOKEN',
  local: 'the embedded tracker is always available',
};

export function describeMissingTicketing(kind: TicketingKind): string {
  return `${kind} ticketing is not configured (${HOW_TO_CONFIGURE[kind]})`;
}

export function createTicketingRegistry(adapters: Partial<Record<TicketingKind, Ticketing>>): TicketingRegistry {
  return {
    get: (kind) => adapters[kind],
    kinds: () => Object.keys(adapters) as TicketingKind[],
  };
}
