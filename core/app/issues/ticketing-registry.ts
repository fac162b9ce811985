import type { Storage } from '../../../ports/storage.port.js';
import type { Ticketing } from '../../../ports/ticketing.port.js';
import type { Mapping, TicketingKind } from '../../domain/model.js';

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
  github: 'set GITHUB_TOKEN, or GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY',
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

/** Where a team's issues live: its mapping, and the adapter for the mapping's tracker. */
export interface TeamTicketing {
  mapping: Mapping;
  ticketing: Ticketing;
}

/**
 * The ticketing adapter that holds the issue of a job (or of a tracked pull request, or of any
 * record of a team), with the mapping that names it: undefined when the mapping is gone or its
 * tracker has no connection configured. The one lookup every use case makes before it reads,
 * comments on or moves a job's ticket.
 */
export async function ticketingFor(
  storage: Pick<Storage, 'mappings'>,
  registry: Pick<TicketingRegistry, 'get'>,
  of: { teamKey: string },
): Promise<TeamTicketing | undefined> {
  const mapping = await storage.mappings.get(of.teamKey);
  const ticketing = mapping ? registry.get(mapping.ticketing) : undefined;
  return mapping && ticketing ? { mapping, ticketing } : undefined;
}
