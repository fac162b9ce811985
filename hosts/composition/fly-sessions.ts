import { createFlyRunner, type FlyRunner, type FlyRunnerLogEntry } from '../../adapters/runners/fly-machines/fly.runner.js';
import { IMAGE_SESSION_COMMAND } from '../../adapters/runners/local/auto-local.runner.js';
import { createFlySecrets } from '../../adapters/secrets/fly/fly.secrets.js';
import type { GovernorRegistry } from '../../adapters/shared/request-governor.js';
import type { RetryOptions } from '../../adapters/shared/retry.js';
import type { CoreSettings } from '../../core/app/core-settings.js';
import type { FlySessions, FlySessionsTarget } from '../../core/app/operations/fly-sessions.js';
import type { SettingsService } from '../../core/app/operations/settings.service.js';
import type { Secrets } from '../../ports/secrets.port.js';

/**
 * The image Fly session machines run unless `FLY_SESSION_IMAGE` says otherwise: this package's
 * image (the Dockerfile), pushed to the sessions app's own registry at this package's version
 * (`docker tag ai-implement:<version> registry.fly.io/<app>:<version>`, then `docker push`).
 */
export const defaultFlySessionImage = (app: string, version: string) => `registry.fly.io/${app}:${version}`;

export interface FlySessionsDeps {
  config: Pick<CoreSettings, 'flyApiToken' | 'flyApiUrl' | 'flySessionImage'>;
  settings: Pick<SettingsService, 'value'>;
  /** This package's version: the default image's tag. */
  version: string;
  retry?: RetryOptions;
  /** Fly's calls (machines and app secrets alike) go through the connection's governor when given. */
  governors?: GovernorRegistry;
  log?: (entry: FlyRunnerLogEntry) => void;
}

/**
 * Fly sessions on the Machines API: `FLY_API_TOKEN` plus a sessions app, where
 * `FLY_SESSIONS_APP` beats the stored `flySessionsApp` setting (and the same for the region).
 * The app is read on every use, so a setting saved from the admin applies at once; the runner
 * and secrets clients are cached per app and region.
 */
export function createFlySessions(deps: FlySessionsDeps): FlySessions {
  const { config, settings } = deps;
  const runners = new Map<string, FlyRunner>();
  const stores = new Map<string, Secrets>();
  const token = config.flyApiToken ?? '';
  const api = {
    apiUrl: config.flyApiUrl,
    token,
    ...(deps.retry ? { retry: deps.retry } : {}),
    ...(deps.governors && token
      ? { governor: deps.governors.forConnection({ service: 'fly', baseUrl: config.flyApiUrl, credential: token }) }
      : {}),
  };

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
          image: config.flySessionImage ?? defaultFlySessionImage(t.app, deps.version),
          command: IMAGE_SESSION_COMMAND,
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
