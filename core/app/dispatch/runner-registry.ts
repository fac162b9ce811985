import type { Runner } from '../../../ports/runner.port.js';
import type { RunnerKind } from '../../domain/model.js';

/** The runners this orchestrator can launch on, by kind; `shadow` is always there. */
export interface RunnerRegistry {
  get(kind: RunnerKind): Runner | undefined;
  kinds(): RunnerKind[];
}

const HOW_TO_CONFIGURE: Record<RunnerKind, string> = {
  'github-actions': 'set GITHUB_TOKEN, or GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY',
  'fly-machines': 'set FLY_API_TOKEN and FLY_SESSIONS_APP',
  local: 'the local runner needs the session runtime',
  shadow: 'always available',
};

export function describeMissingRunner(kind: RunnerKind): string {
  return `${kind} runner is not configured (${HOW_TO_CONFIGURE[kind]})`;
}

export function createRunnerRegistry(runners: Partial<Record<RunnerKind, Runner>>): RunnerRegistry {
  return {
    get: (kind) => runners[kind],
    kinds: () => Object.keys(runners) as RunnerKind[],
  };
}
