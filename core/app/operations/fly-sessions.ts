import { errAsync, ResultAsync } from 'neverthrow';
import { createFlyRunner, type FlyRunner, type FlyRunnerLogEntry } from '../../../adapters/runners/fly-machines/fly.runner.js';
import { createFlySecrets } from '../../../adapters/secrets/fly/fly.secrets.js';
import type { RetryOptions } from '../../../adapters/shared/retry.js';
import type { ServiceError } from '../../../ports/errors.js';
import type { Runner } from '../../../ports/runner.port.js';
import type { Secrets } from '../../../ports/secrets.port.js';
import type { CoreSettings } from '../core-settings.js';
import type { SettingsService } from './settings.service.js';

/** The spec's message wherever Fly sessions are needed but not configured (503). */
export const FLY_NOT_CONFIGURED = 'Fly sessions config not set';

/**
 * The session image Fly machines run. Configuration has no variable for it yet; this is the
 * image the session runtime is published as.
 */
export const DEFAULT_FLY_SESSION_IMAGE = 'registry.fly.io/ai-implement-session:latest';

export interface FlySessionsDeps {
  config: Pick<CoreSettings, 'flyApiToken' | 'flyApiUrl'>;
  settings: Pick<SettingsService, 'value'>;
  image?: string;
  retry?: RetryOptions;
  log?: (entry: FlyRunnerLogEntry) => void;
}

export interface FlySessionsTarget {
  app: string;
  region?: string;
}

/**
 * Fly sessions as configured right now: `FLY_API_TOKEN` plus a sessions app, where
 * `FLY_SESSIONS_APP` beats the stored `flySessionsApp` setting (and the same for the region).
 * The app is read on every use, so a setting saved from the admin applies at once; the runner
 * and secrets clients are cached per app and region.
 */
export interface FlySessions {
  /** The app and region in force, or undefined when the token or the app is missing. */
  target(): Promise<FlySessionsTarget | undefined>;
  runner(): Promise<FlyRunner | undefined>;
  secrets(): Promise<Secrets | undefined>;
}

export function createFlySessions(deps: FlySessionsDeps): FlySessions {
  const { config, settings } = deps;
  const runners = new Map<string, FlyRunner>();
  const stores = new Map<string, Secrets>();
  const api = { apiUrl: config.flyApiUrl, token: config.flyApiToken ?? '', ...(deps.retry ? { retry: deps.retry } : {}) };

  async function target(): Promise<FlySessionsTarget | undefined> {
    if (!config.flyApiToken) return undefined;
    const app = await settings.value('flySessionsApp');
    if (!app) return undefined;
    const region = await settings.value('flySessionsRegion');
    return region ? { app, region } : { app };
  }

  return {
    target,

    async runner() {
      const t = await target();
      if (!t) return undefined;
      const key = `${t.app}\n${t.region ?? ''}`;
      let runner = runners.get(key);
      if (!runner) {
        runner = createFlyRunner({
          ...api,
          app: t.app,
          ...(t.region ? { region: t.region } : {}),
          image: deps.image ?? DEFAULT_FLY_SESSION_IMAGE,
          ...(deps.log ? { log: deps.log } : {}),
        });
        runners.set(key, runner);
      }
      return runner;
    },

    async secrets() {
      const t = await target();
      if (!t) return undefined;
      let store = stores.get(t.app);
      if (!store) {
        store = createFlySecrets({ ...api, app: t.app });
        stores.set(t.app, store);
      }
      return store;
    },
  };
}

/**
 * The registry's `fly-machines` runner: present whenever `FLY_API_TOKEN` is set, and answering
 * `notConfigured` ("Fly sessions config not set") until a sessions app is set by env or setting.
 */
export function createLazyFlyRunner(fly: Pick<FlySessions, 'runner'>): Runner {
  const withRunner = <T>(use: (runner: FlyRunner) => ResultAsync<T, ServiceError>): ResultAsync<T, ServiceError> =>
    ResultAsync.fromSafePromise(fly.runner()).andThen((runner) =>
      runner ? use(runner) : errAsync<T, ServiceError>({ kind: 'notConfigured', message: FLY_NOT_CONFIGURED }),
    );
  return {
    kind: 'fly-machines',
    launch: (run) => withRunner((r) => r.launch(run)),
    listSessions: () => withRunner((r) => r.listSessions()),
    destroy: (id) => withRunner((r) => r.destroy(id)),
    observe: (job, context) => withRunner((r) => r.observe(job, context)),
  };
}
