import { err, ok, type Result } from 'neverthrow';
import type { Storage } from '../../../ports/storage.port.js';
import type { Mapping, RunnerKind, RunnerMode } from '../../domain/model.js';
import { RUNNER_MODE_ENV_LOCKED_MESSAGE, resolveRunnerMode, runnerForJob } from '../../domain/runner-mode.js';
import type { CoreSettings } from '../core-settings.js';
import type { AuditService } from './audit.service.js';

/** The stored setting's key. */
export const RUNNER_MODE_SETTING_KEY = 'runnerMode';

export interface RunnerModeDeps {
  config: Pick<CoreSettings, 'runnerMode'>;
  storage: Storage;
  /** Where each change is recorded (the audit trail), when there is one. */
  audit?: Pick<AuditService, 'record'>;
}

/** `GET /api/runner-mode`. */
export interface RunnerModeView {
  /** The mode in force: `RUNNER_MODE` when set, else the stored mode, else `default`. */
  mode: RunnerMode;
  /** The mode saved through the API, or null when none was. */
  stored: RunnerMode | null;
  /** Same as `mode`; named for the admin's "Effective mode" card. */
  effective: RunnerMode;
  source: 'env' | 'stored' | 'default';
  /** True when `RUNNER_MODE` is set: a stored change has no effect until it is unset. */
  envLocked: boolean;
  /** The `RUNNER_MODE` value, or null. */
  env: RunnerMode | null;
}

/** Saved, but `RUNNER_MODE` wins at runtime (409 with the spec's message). */
export type RunnerModeError = { kind: 'conflict'; message: string };

export interface RunnerModeService {
  get(): Promise<RunnerModeView>;
  /** The mode arrives checked (the route's schema answers a body without a valid `mode`). */
  set(body: { mode: RunnerMode }): Promise<Result<RunnerModeView, RunnerModeError>>;
  /** The runner a mapping's jobs go to now: the mode in force applied to the mapping. */
  runnerFor(mapping: Mapping): Promise<RunnerKind>;
}

/** The global runner-mode override (admin "Runners" and the Reaper page's toggle). */
export function createRunnerModeService({ config, storage, audit }: RunnerModeDeps): RunnerModeService {
  async function get(): Promise<RunnerModeView> {
    const stored = await storage.settings.get(RUNNER_MODE_SETTING_KEY);
    const resolved = resolveRunnerMode({
      ...(config.runnerMode ? { env: config.runnerMode } : {}),
      ...(stored ? { stored } : {}),
    });
    return {
      mode: resolved.mode,
      stored: resolved.stored ?? null,
      effective: resolved.mode,
      source: resolved.source,
      envLocked: resolved.envLocked,
      env: config.runnerMode ?? null,
    };
  }

  return {
    get,
    async runnerFor(mapping) {
      return runnerForJob((await get()).mode, mapping);
    },
    async set(body) {
      await storage.settings.set(RUNNER_MODE_SETTING_KEY, body.mode);
      await audit?.record({
        actor: 'operator',
        action: 'runner_mode.set',
        detail: { mode: body.mode, envLocked: Boolean(config.runnerMode) },
      });
      if (config.runnerMode) return err({ kind: 'conflict', message: RUNNER_MODE_ENV_LOCKED_MESSAGE });
      return ok(await get());
    },
  };
}
