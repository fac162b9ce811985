import { errAsync, okAsync, type ResultAsync } from 'neverthrow';
import type { ServiceError } from '../../../ports/errors.js';
import type { Secrets } from '../../../ports/secrets.port.js';
import { createFlyApi, type FlyApiOptions } from '../../runners/fly-machines/fly-api.client.js';
import { type RetryOptions, retryServiceCall } from '../../shared/retry.js';
import { flyAppSecretReference } from './fly-secret-reference.js';

export interface FlySecretsOptions extends FlyApiOptions {
  /** The Fly app whose secrets the sessions receive (`FLY_SESSIONS_APP`). */
  app: string;
  retry?: RetryOptions;
}

interface AppSecret {
  name?: string;
  digest?: string;
  created_at?: string;
  updated_at?: string;
}

/**
 * Secrets on Fly app secrets, through the Machines API's app-secrets resource:
 * `GET /v1/apps/{app}/secrets` (names and digests), `POST /v1/apps/{app}/secrets/{name}`
 * with `{ value }` (201), `DELETE /v1/apps/{app}/secrets/{name}` (404 for an unknown name).
 *
 * `reveal` cannot return values: Fly gives them only to machines of the app itself
 * (`show_secrets` is refused from outside). The session machine receives every app secret in
 * its environment on its own, so `reveal` answers each name that exists with a reference
 * (`fly-app-secret:NAME`) that the Fly runner leaves out of the machine's `env`. Names that do
 * not exist are left out, as the session will not receive them.
 */
export function createFlySecrets(options: FlySecretsOptions): Secrets {
  const api = createFlyApi(options);
  const base = `/v1/apps/${encodeURIComponent(options.app)}/secrets`;
  const retry = <T>(call: () => ResultAsync<T, ServiceError>) => retryServiceCall(call, options.retry);
  const configured = (): ResultAsync<void, ServiceError> =>
    options.app ? okAsync(undefined) : errAsync({ kind: 'notConfigured', message: 'Fly sessions app is not set' });

  const list = () =>
    configured()
      .andThen(() => retry(() => api.request<{ secrets?: AppSecret[] }>('GET', base)))
      .map((body) =>
        (body?.secrets ?? [])
          .map((secret) => secret.name)
          .filter((name): name is string => typeof name === 'string')
          .sort(),
      );

  return {
    list,

    set(name, value) {
      const path = `${base}/${encodeURIComponent(name)}`;
      return configured()
        .andThen(() => retry(() => api.request<AppSecret>('POST', path, { body: { value } })))
        .map(() => undefined);
    },

    remove(name) {
      const path = `${base}/${encodeURIComponent(name)}`;
      // A DELETE retried after a 5xx may find the secret already gone by its own first attempt.
      let retriedAfterOutage = false;
      const attempt = () =>
        api.request<unknown>('DELETE', path).orElse((error) => {
          if (error.kind === 'notFound' && retriedAfterOutage) return okAsync(undefined);
          if (error.kind === 'unavailable') retriedAfterOutage = true;
          return errAsync(error.kind === 'notFound' ? ({ kind: 'notFound', message: 'Secret not found' } as const) : error);
        });
      return configured()
        .andThen(() => retry(attempt))
        .map(() => undefined);
    },

    reveal(names) {
      return list().map((known) => {
        const present = new Set(known);
        return Object.fromEntries(names.filter((name) => present.has(name)).map((name) => [name, flyAppSecretReference(name)]));
      });
    },
  };
}
