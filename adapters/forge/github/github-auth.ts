import { createAppAuth } from '@octokit/auth-app';
import { Octokit } from '@octokit/rest';
import { errAsync, okAsync, ResultAsync } from 'neverthrow';
import type { ServiceError } from '../../../ports/errors.js';
import type { RepoRef } from '../../../ports/forge.port.js';
import { isHttpError, toServiceError } from './github-errors.js';

export type GithubAuthConfig = { token: string } | { appId: string | number; privateKey: string };

export interface GithubAuthOptions {
  baseUrl: string;
  auth: GithubAuthConfig;
  now: () => number;
  /** An installation token is reused until this long before it expires (5 minutes). */
  refreshMarginMs?: number;
  /** A repository token is handed out only with at least this much life left (30 minutes). */
  repoTokenMinLifetimeMs?: number;
  warn?: (message: string) => void;
  /** Every Octokit here sends through this fetch (a per-request deadline, rate-limit headers seen). */
  fetch?: typeof fetch;
}

export interface RepoToken {
  token: string;
  expiresAt: number;
}

/**
 * How the adapter authenticates, one object for both modes.
 * - `client(repo)`: an Octokit that may act on `repo` (the configured token; or the token of
 *   the App installation that covers the repository, cached until shortly before it expires).
 * - `repoToken(repo)`: a token for the session working on `repo` (see below).
 * - `forget(repo)`: drops cached App tokens for `repo` after GitHub rejected one.
 */
export interface GithubAuth {
  client(repo: RepoRef): ResultAsync<Octokit, ServiceError>;
  repoToken(repo: RepoRef): ResultAsync<RepoToken, ServiceError>;
  forget(repo: RepoRef): void;
}

/** The permissions a session needs: push its branch and open its pull request. */
export const REPO_TOKEN_PERMISSIONS = { contents: 'write', pull_requests: 'write' } as const;
/** What a personal access token is reported to be good for; GitHub does not say. */
const TOKEN_NOMINAL_LIFETIME_MS = 60 * 60_000;

const noop = () => {};
const key = (repo: RepoRef) => `${repo.owner}/${repo.repo}`.toLowerCase();

function octokit(baseUrl: string, auth: string, warn: (m: string) => void, fetch?: typeof globalThis.fetch): Octokit {
  // Failures come back as Results, so Octokit's own error logging would only duplicate them.
  return new Octokit({
    baseUrl,
    auth,
    log: { debug: noop, info: noop, warn, error: noop },
    ...(fetch ? { request: { fetch } } : {}),
  });
}

export function createGithubAuth(options: GithubAuthOptions): GithubAuth {
  const warn = options.warn ?? ((m: string) => console.warn(m));
  if ('token' in options.auth) return tokenAuth(options.baseUrl, options.auth.token, options.now, warn, options.fetch);
  return appAuth({ ...options, auth: options.auth, warn });
}

/**
 * Token mode. `repoToken` answers with the configured token itself after checking that it can
 * see the repository: it is NOT narrowed to that repository, and GitHub does not tell how long
 * it lives (`expiresAt` is nominal, an hour ahead). Use App auth for narrowed tokens.
 */
function tokenAuth(
  baseUrl: string,
  token: string,
  now: () => number,
  warn: (m: string) => void,
  fetch?: typeof globalThis.fetch,
): GithubAuth {
  const client = octokit(baseUrl, token, warn, fetch);
  return {
    client: () => okAsync(client),
    repoToken: (repo) =>
      ResultAsync.fromPromise(client.rest.repos.get({ owner: repo.owner, repo: repo.repo }), (e) => toServiceError(e, now())).map(
        () => ({
          token,
          expiresAt: now() + TOKEN_NOMINAL_LIFETIME_MS,
        }),
      ),
    forget: noop,
  };
}

interface CachedToken extends RepoToken {
  client: Octokit;
}

/**
 * App mode: the App's JWT finds the installation that covers a repository
 * (`GET /repos/{owner}/{repo}/installation`) and mints installation tokens with
 * `POST /app/installations/{id}/access_tokens`. The orchestrator's own calls use one token per
 * installation; a session's token names only its repository and asks only for
 * REPO_TOKEN_PERMISSIONS. Both are cached here (auth-app's own cache keeps tokens 59 minutes
 * whatever their expiry, so it is bypassed with `refresh`).
 */
function appAuth(
  options: GithubAuthOptions & { auth: { appId: string | number; privateKey: string }; warn: (m: string) => void },
): GithubAuth {
  const { baseUrl, now, warn } = options;
  const refreshMarginMs = options.refreshMarginMs ?? 5 * 60_000;
  const repoTokenMinLifetimeMs = options.repoTokenMinLifetimeMs ?? 30 * 60_000;
  const app = new Octokit({
    baseUrl,
    authStrategy: createAppAuth,
    auth: { appId: options.auth.appId, privateKey: options.auth.privateKey },
    log: { debug: noop, info: noop, warn, error: noop },
    ...(options.fetch ? { request: { fetch: options.fetch } } : {}),
  });
  const installations = new Map<string, number>();
  const installationTokens = new Map<number, CachedToken>();
  const repoTokens = new Map<string, CachedToken>();

  // A thrown error without an HTTP status comes from signing the JWT: the key is unusable.
  const convert = (e: unknown): ServiceError =>
    isHttpError(e)
      ? toServiceError(e, now())
      : { kind: 'auth', message: `GitHub App credentials rejected locally: ${e instanceof Error ? e.message : String(e)}` };

  const installationId = (repo: RepoRef): ResultAsync<number, ServiceError> => {
    const known = installations.get(key(repo));
    if (known !== undefined) return okAsync(known);
    return ResultAsync.fromPromise(app.rest.apps.getRepoInstallation({ owner: repo.owner, repo: repo.repo }), convert).map(
      ({ data }) => {
        installations.set(key(repo), data.id);
        return data.id;
      },
    );
  };

  const mint = (id: number, narrowTo?: RepoRef): ResultAsync<CachedToken, ServiceError> =>
    ResultAsync.fromPromise(
      app.auth({
        type: 'installation',
        installationId: id,
        refresh: true,
        ...(narrowTo ? { repositoryNames: [narrowTo.repo], permissions: { ...REPO_TOKEN_PERMISSIONS } } : {}),
      }) as Promise<{ token: string; expiresAt: string }>,
      convert,
    ).map(({ token, expiresAt }) => ({
      token,
      expiresAt: Date.parse(expiresAt),
      client: octokit(baseUrl, token, warn, options.fetch),
    }));

  const fresh = (t: CachedToken | undefined, margin: number) => t !== undefined && now() < t.expiresAt - margin;

  return {
    client: (repo) =>
      installationId(repo).andThen((id) => {
        const cached = installationTokens.get(id);
        if (cached && fresh(cached, refreshMarginMs)) return okAsync(cached.client);
        return mint(id).map((t) => {
          installationTokens.set(id, t);
          return t.client;
        });
      }),
    repoToken: (repo) => {
      const cached = repoTokens.get(key(repo));
      if (cached && fresh(cached, repoTokenMinLifetimeMs)) return okAsync({ token: cached.token, expiresAt: cached.expiresAt });
      return installationId(repo)
        .andThen((id) => mint(id, repo))
        .andThen((t) => {
          if (!fresh(t, 0))
            return errAsync<RepoToken, ServiceError>({
              kind: 'auth',
              message: 'GitHub minted an installation token that has already expired',
            });
          repoTokens.set(key(repo), t);
          return okAsync({ token: t.token, expiresAt: t.expiresAt });
        });
    },
    forget: (repo) => {
      const id = installations.get(key(repo));
      installations.delete(key(repo));
      repoTokens.delete(key(repo));
      if (id !== undefined) installationTokens.delete(id);
    },
  };
}
