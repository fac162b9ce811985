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

/**
 * An operator's Fly call (the admin's Sessions panel, a team's Fly secrets): one attempt, each
 * request given 5 s. Fly answers a listing in well under a second; a hung API otherwise held the
 * admin for 3 × 15 s of retries until the circuit opened. A destroy makes two calls (find, then
 * delete), so 5 s each keeps it inside the 10 s an operator call gets (OPERATOR_CALL_DEADLINE_MS).
 */
export const OPERATOR_FLY_REQUEST_TIMEOUT_MS = 5_000;
const OPERATOR_CALL = { timeoutMs: OPERATOR_FLY_REQUEST_TIMEOUT_MS, retry: { maxAttempts: 1 } } as const;

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
  /** Keyed by app and region, and by who waits on the answer (`run`, or `operator`). */
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

  async function runner(use: 'run' | 'operator'): Promise<FlyRunner | undefined> {
    const t = await target();
    if (!t) return undefined;
    const key = `${use}\n${t.app}\n${t.region ?? ''}`;
    let found = runners.get(key);
    if (!found) {
      found = createFlyRunner({
        ...api,
        ...(use === 'operator' ? OPERATOR_CALL : {}),
        app: t.app,
        ...(t.region ? { region: t.region } : {}),
        image: config.flySessionImage ?? defaultFlySessionImage(t.app, deps.version),
        command: IMAGE_SESSION_COMMAND,
        ...(deps.log ? { log: deps.log } : {}),
      });
      runners.set(key, found);
    }
    return found;
  }

  async function secrets(use: 'run' | 'operator'): Promise<Secrets | undefined> {
    const t = await target();
    if (!t) return undefined;
    const key = `${use}\n${t.app}`;
    let store = stores.get(key);
    if (!store) {
      store = createFlySecrets({ ...api, ...(use === 'operator' ? OPERATOR_CALL : {}), app: t.app });
      stores.set(key, store);
    }
    return store;
  }

  return {
    target,
    runner: () => runner('run'),
    operatorRunner: () => runner('operator'),
    secrets: () => secrets('run'),
    operatorSecrets: () => secrets('operator'),
  };
}
