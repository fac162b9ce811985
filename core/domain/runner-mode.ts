/**
 * Runner mode and orchestrator settings — spec "Runner mode", "Reaper" (the toggle) and
 * "Settings": the global runner override (`RUNNER_MODE` or the stored value), which runner a
 * job runs on, and the `flySessionsApp`/`flySessionsRegion` settings. For every one of them an
 * environment variable beats the stored value, and the answer says so, so the admin can show
 * the runtime value beside the stored one and flag the lock.
 */
import type { ExecutionMode, Mapping, RunnerKind, RunnerMode } from './model.js';

export const RUNNER_MODES = ['default', 'gha', 'fly', 'local', 'shadow'] as const satisfies readonly RunnerMode[];

/** `POST /api/runner-mode` with a mode outside RUNNER_MODES (400). */
export const INVALID_RUNNER_MODE_MESSAGE = 'mode must be one of: default, gha, fly, local, shadow';
/** `POST /api/runner-mode` while `RUNNER_MODE` is set: saved, but without effect (409). */
export const RUNNER_MODE_ENV_LOCKED_MESSAGE =
  'RUNNER_MODE env var is set; persisted to DB but has no effect at runtime until the env var is unset';

export function isRunnerMode(value: unknown): value is RunnerMode {
  return typeof value === 'string' && (RUNNER_MODES as readonly string[]).includes(value);
}

export interface RunnerModeResolution {
  /** The mode in force. */
  mode: RunnerMode;
  source: 'env' | 'stored' | 'default';
  /** True when `RUNNER_MODE` is set: a stored change has no effect until it is unset. */
  envLocked: boolean;
  /** The stored value, when there is a valid one (shown beside the runtime value). */
  stored?: RunnerMode;
}

const present = (value: string | undefined): value is string => value !== undefined && value.trim() !== '';

/**
 * The runner mode in force. A set `RUNNER_MODE` wins; configuration validation rejects a bad
 * one at start, so a bad value here is a broken invariant and throws. A bad stored value (an
 * old or hand-edited store) is treated as unset.
 */
export function resolveRunnerMode(input: { env?: string; stored?: string }): RunnerModeResolution {
  const stored = present(input.stored) && isRunnerMode(input.stored.trim()) ? (input.stored.trim() as RunnerMode) : undefined;
  const withStored = <T extends object>(r: T): T & { stored?: RunnerMode } => (stored ? { ...r, stored } : r);
  if (present(input.env)) {
    const env = input.env.trim();
    if (!isRunnerMode(env)) throw new Error(`RUNNER_MODE must be one of: ${RUNNER_MODES.join(', ')} (got "${env}")`);
    return withStored({ mode: env, source: 'env' as const, envLocked: true });
  }
  if (stored) return withStored({ mode: stored, source: 'stored' as const, envLocked: false });
  return { mode: 'default', source: 'default', envLocked: false };
}

/** The runner a job of `mapping` runs on under `mode`: `default` follows the mapping. */
export function runnerForJob(mode: RunnerMode, mapping: Pick<Mapping, 'executionMode'>): RunnerKind {
  switch (mode) {
    case 'default':
      return executionModeRunner(mapping.executionMode);
    case 'gha':
      return 'github-actions';
    case 'fly':
      return 'fly-machines';
    case 'local':
      return 'local';
    case 'shadow':
      return 'shadow';
  }
}

function executionModeRunner(mode: ExecutionMode): RunnerKind {
  return mode === 'fly-machines' ? 'fly-machines' : 'github-actions';
}

export interface SettingResolution {
  /** The value in force, or undefined when neither source (nor a fallback) gives one. */
  value: string | undefined;
  source: 'env' | 'stored' | 'default' | 'unset';
  /** True when the environment variable is set and wins over the stored value. */
  envOverride: boolean;
  /** The stored value, shown beside the runtime value. */
  stored: string | undefined;
}

/** One orchestrator setting (`flySessionsApp`, `flySessionsRegion`): env, then stored, then fallback. */
export function resolveSetting(input: { env?: string; stored?: string; fallback?: string }): SettingResolution {
  const stored = present(input.stored) ? input.stored.trim() : undefined;
  if (present(input.env)) return { value: input.env.trim(), source: 'env', envOverride: true, stored };
  if (stored !== undefined) return { value: stored, source: 'stored', envOverride: false, stored };
  if (present(input.fallback)) return { value: input.fallback.trim(), source: 'default', envOverride: false, stored };
  return { value: undefined, source: 'unset', envOverride: false, stored };
}

/** The settings the admin manages, with the environment variable that beats each. */
export const SETTINGS = {
  flySessionsApp: 'FLY_SESSIONS_APP',
  flySessionsRegion: 'FLY_SESSIONS_REGION',
} as const;
export type SettingKey = keyof typeof SETTINGS;
