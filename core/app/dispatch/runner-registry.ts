import type { Runner } from '../../../ports/runner.port.js';
import type { RunnerKind } from '../../domain/model.js';

/** The runners this orchestrator can launch on, by kind; `shadow` is always there. */
export interface RunnerRegistry {
  get(kind: RunnerKind): Runner | undefined;
  kinds(): RunnerKind[];
  /** Why `kind` cannot run here (when `get` answers undefined), for the dispatch refusal. */
  describeMissing(kind: RunnerKind): string;
}

const HOW_TO_CONFIGURE: Record<RunnerKind, string> = {
  'github-actions': 'set GITHUB_TOKEN, or GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY',
  'fly-machines': 'set FLY_API_TOKEN and FLY_SESSIONS_APP',
  local: 'the local runner needs the session runtime',
  shadow: 'always available',
};

/** Why no runner but shadow is registered while RUNNER_TOKEN_SECRET is unset. */
export const RUNNER_TOKEN_SECRET_REQUIRED =
  'set RUNNER_TOKEN_SECRET: a run reports back with tokens signed by it; only shadow runs without it';

/**
 * `requirement`, when given, is what every runner missing here lacks (RUNNER_TOKEN_SECRET);
 * otherwise each kind names its own configuration.
 */
export function createRunnerRegistry(runners: Partial<Record<RunnerKind, Runner>>, requirement?: string): RunnerRegistry {
  return {
    get: (kind) => runners[kind],
    kinds: () => Object.keys(runners) as RunnerKind[],
    describeMissing: (kind) => `${kind} runner is not configured (${requirement ?? HOW_TO_CONFIGURE[kind]})`,
  };
}
