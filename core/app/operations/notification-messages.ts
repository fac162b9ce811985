import type { OrchestratorEvent } from '../../../ports/event-bus.port.js';
import type { NotificationMessage } from '../../domain/notifications.js';

const SERVICE_NAMES: Record<string, string> = { linear: 'Linear', jira: 'Jira', github: 'GitHub', fly: 'Fly' };
const serviceName = (service: string) => SERVICE_NAMES[service] ?? service;
const usd = (n: number) => `$${n.toFixed(2)}`;

/**
 * The message for an event that is news to an operator by itself (no job to read), or
 * undefined for every other event. Job events are judged from the job (messageForJob).
 */
export function messageForEvent(event: OrchestratorEvent, adminUrl: string): NotificationMessage | undefined {
  const admin = (panel: string) => [{ label: 'Admin', url: `${adminUrl}#${panel}` }];
  switch (event.type) {
    case 'connector.credential_refused': {
      const name = serviceName(event.data.service);
      return {
        kind: 'credential.refused',
        at: event.at,
        title: `${name} refused the orchestrator's credential`,
        text: `${name} at ${event.data.baseUrl} answered 401/403 to a request: the token is wrong, expired or lacks a permission. Work on this connection stops until it is fixed.`,
        reason: event.message ?? 'credential refused',
        links: admin('overview'),
      };
    }
    case 'connector.circuit_opened': {
      const name = serviceName(event.data.service);
      return {
        kind: 'circuit.opened',
        at: event.at,
        title: `${name} circuit opened`,
        text: `Requests to ${name} at ${event.data.baseUrl} failed repeatedly; nothing is sent until a probe succeeds.`,
        ...(event.message ? { reason: event.message } : {}),
        links: admin('overview'),
      };
    }
    case 'budget.warning':
    case 'budget.reached': {
      const reached = event.type === 'budget.reached';
      const scope = event.data.scope === 'team' && event.teamKey ? `team ${event.teamKey}` : `the ${event.data.scope}`;
      return {
        kind: reached ? 'budget.reached' : 'budget.warning',
        at: event.at,
        ...(event.teamKey ? { teamKey: event.teamKey } : {}),
        title: reached ? `Budget reached for ${scope}` : `Budget warning for ${scope}`,
        text: `${usd(event.data.spentUsd)} spent of ${usd(event.data.budgetUsd)} (${scope}).${reached ? ' New runs wait until the budget allows them.' : ''}`,
        ...(event.message ? { reason: event.message } : {}),
        links: admin('overview'),
      };
    }
    case 'reaper.destroyed':
      return {
        kind: 'reaper.destroyed',
        at: event.at,
        ...(event.teamKey ? { teamKey: event.teamKey } : {}),
        ...(event.identifier ? { issue: event.identifier } : {}),
        title: `Reaper destroyed ${event.data.runner} session ${event.data.machineId}`,
        text: `The reaper destroyed a ${event.data.runner} session (${event.data.ageSeconds} s old) under the rule ${event.data.rule}.`,
        reason: event.data.rule,
        links: admin('reaper'),
      };
    case 'storage.unavailable':
      return {
        kind: 'storage.unreachable',
        at: event.at,
        title: 'The orchestrator cannot reach its storage',
        text: `${event.data.store} stopped answering. Dispatches and callbacks fail until it is back.`,
        reason: event.data.reason,
        links: admin('overview'),
      };
    default:
      return undefined;
  }
}
