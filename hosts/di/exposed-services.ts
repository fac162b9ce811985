import type { OrchestratorCradle } from '../cradle.js';

/**
 * The services an embedding host may take from the orchestrator's container: enough to drive
 * it (reconcile, mappings, the tracker, job outcomes), watch it (event bus, issue and blocker
 * views) and serve it (the h3 app). The rest stay internal.
 */
export const EXPOSED_SERVICES = [
  'config',
  'storage',
  'eventBus',
  'mappings',
  'reconcile',
  'issuesView',
  'dispatchLog',
  'jobOutcome',
  'tracker',
  'httpApp',
] as const satisfies readonly (keyof OrchestratorCradle)[];

export type ExposedService = (typeof EXPOSED_SERVICES)[number];

/** `reconcile` → `aiImplementReconcile`: one prefix keeps the host's own names free. */
export function exposedName(prefix: string, key: ExposedService): string {
  return `${prefix}${key[0]!.toUpperCase()}${key.slice(1)}`;
}
