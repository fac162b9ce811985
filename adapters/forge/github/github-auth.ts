import type { Octokit } from '@octokit/rest';
import { errAsync, okAsync, ResultAsync } from 'neverthrow';
import type { ServiceError } from '../../../ports/errors.js';
import type { RepoRef, RepoTokenAccess } from '../../../ports/forge.port.js';
import { type RequestGovernor, UNGOVERNED } from '../../shared/request-governor.js';
import { isHttpError, toServiceError } from './github-errors.js';

export type GithubAuthConfig = { token: string } | { appId: string | number; privateKey: string };

export interface GithubAuthOptions {
  baseUrl: string;
  auth: GithubAuthConfig;
  now: () => number;
  /** An installation token is reused until this long before it expires (5 minutes). */
  refreshMarginMs?: number;
  warn?: (message: string) => void;
  /** Every Octokit here sends through this fetch (a per-request deadline, rate-limit headers seen). */
  fetch?: typeof fetch;
  /**
   * The connection's governor. The App's own calls (finding the installation, minting and
   * revoking installation tokens) go through it like every other request: none is sent inside a
   * rate-limit window or while the circuit is open, and their failures count.
   */
  governor?: RequestGovernor;
}

export interface RepoToken {
  token: string;
  expiresAt: number;
}

/**
 * How the adapter authenticates, one object for both modes.
 * - `client(repo)`: an Octokit that may act on `repo` (the configured token; or the token of
 *   the App installation that covers the repository, cached until shortly before it expires).
 * - `repoToken(repo, access)`: a token for one session working on `repo` (see below).
 * - `revokeRepoToken(token)`: ends such a token (`DELETE /installation/token`).
 * - `forget(repo)`: drops cached App tokens for `repo` after GitHub rejected one.
 */
export interface GithubAuth {
  client(repo: RepoRef): ResultAsync<Octokit, ServiceError>;
  repoToken(repo: RepoRef, access: RepoTokenAccess): ResultAsync<RepoToken, ServiceError>;
  revokeRepoToken(token: string): ResultAsync<void, ServiceError>;
  forget(repo: RepoRef): void;
}

/**
 * The least permissions a session needs: `read` clones (planning, gap analysis); `write` pushes
 * its branch and opens its pull request (implementation). Metadata read comes with every token.
 */
export const REPO_TOKEN_PERMISSIONS: Record<RepoTokenAccess, Record<string, 'read' | 'write'>> = {
  read: { contents: 'read' },
  write: { contents: 'write', pull_requests: 'write' },
};

/** Why token (PAT) mode answers no `/api/token`: the token would be the orchestrator's own, unscoped. */
export const PAT_REPO_TOKEN_REFUSED =
  'GITHUB_TOKEN (token mode) hands out no repository tokens: the session would hold the orchestrator’s own unscoped token. Use a GitHub App, or let the session push with its runner’s own token';

const noop = () => {};
const key = (repo: RepoRef) => `${repo.owner}/${repo.repo}`.toLowerCase();

/** Octokit and its App auth, loaded at the first GitHub call rather than at start (~0.1 s). */
let loading: Promise<[typeof import('@octokit/rest'), typeof import('@octokit/auth-app')]> | undefined;
const loadOctokit = () => {
  loading ??= Promise.all([import('@octokit/rest'), import('@octokit/auth-app')]);
  return loading;
};

async function octokit(
  baseUrl: string,
  auth: string,
  warn: (m: string) => void,
  fetch?: typeof globalThis.fetch,
): Promise<Octokit> {
  const [{ Octokit }] = await loadOctokit();
  // Failures come back as Results, so Octokit's own error logging would only duplicate them.
  return new Octokit({
    baseUrl,
    auth,
    log: { debug: noop, info: noop, warn, error: noop },
    ...(fetch ? { request: { fetch } } : {}),
  });
}

/** `make()`'s answer, made once at the first call (the modules under it load then). */
function once<T>(make: () => Promise<T>): () => Promise<T> {
  let made: Promise<T> | undefined;
  return () => {
    made ??= make();
    return made;
  };
}

export function createGithubAuth(options: GithubAuthOptions): GithubAuth {
  const warn = options.warn ?? ((m: string) => console.warn(m));
  if ('token' in options.auth) return tokenAuth(options.baseUrl, options.auth.token, warn, options.fetch);
  return appAuth({ ...options, auth: options.auth, warn });
}

/**
 * Token mode. `repoToken` refuses (`notConfigured`): the only token there is the orchestrator's
 * own, which reaches every repository it can and does not expire with the run.
 */
function tokenAuth(baseUrl: string, token: string, warn: (m: string) => void, fetch?: typeof globalThis.fetch): GithubAuth {
  const client = once(() => octokit(baseUrl, token, warn, fetch));
  return {
    client: () => ResultAsync.fromSafePromise(client()),
    repoToken: () => errAsync({ kind: 'notConfigured', message: PAT_REPO_TOKEN_REFUSED }),
    revokeRepoToken: () => okAsync(undefined),
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
 * installation, cached here (auth-app's own cache keeps tokens 59 minutes whatever their
 * expiry, so it is bypassed with `refresh`). A session's token is minted for it alone, names
 * only its repository, asks only for REPO_TOKEN_PERMISSIONS[access], is never cached or shared,
 * and is revoked when its job ends (`DELETE /installation/token`, authenticated by itself).
 */
function appAuth(
  options: GithubAuthOptions & { auth: { appId: string | number; privateKey: string }; warn: (m: string) => void },
): GithubAuth {
  const { baseUrl, now, warn } = options;
  const governor = options.governor ?? UNGOVERNED;
  const refreshMarginMs = options.refreshMarginMs ?? 5 * 60_000;
  const appClient = once(async () => {
    const [{ Octokit }, { createAppAuth }] = await loadOctokit();
    return new Octokit({
      baseUrl,
      authStrategy: createAppAuth,
      auth: { appId: options.auth.appId, privateKey: options.auth.privateKey },
      log: { debug: noop, info: noop, warn, error: noop },
      ...(options.fetch ? { request: { fetch: options.fetch } } : {}),
    });
  });
  const installations = new Map<string, number>();
  const installationTokens = new Map<number, CachedToken>();

  // A thrown error without an HTTP status comes from signing the JWT: the key is unusable.
  const convert = (e: unknown): ServiceError =>
    isHttpError(e)
      ? toServiceError(e, now())
      : { kind: 'auth', message: `GitHub App credentials rejected locally: ${e instanceof Error ? e.message : String(e)}` };

  const installationId = (repo: RepoRef): ResultAsync<number, ServiceError> => {
    const known = installations.get(key(repo));
    if (known !== undefined) return okAsync(known);
    return governor
      .run(() =>
        ResultAsync.fromPromise(
          appClient().then((app) => app.rest.apps.getRepoInstallation({ owner: repo.owner, repo: repo.repo })),
          convert,
        ),
      )
      .map(({ data }) => {
        installations.set(key(repo), data.id);
        return data.id;
      });
  };

  const mint = (id: number, narrowTo?: { repo: RepoRef; access: RepoTokenAccess }): ResultAsync<CachedToken, ServiceError> =>
    governor
      .run(() =>
        ResultAsync.fromPromise(
          appClient().then(
            (app) =>
              app.auth({
                type: 'installation',
                installationId: id,
                refresh: true,
                ...(narrowTo
                  ? { repositoryNames: [narrowTo.repo.repo], permissions: { ...REPO_TOKEN_PERMISSIONS[narrowTo.access] } }
                  : {}),
              }) as Promise<{ token: string; expiresAt: string }>,
          ),
          convert,
        ),
      )
      .map(async ({ token, expiresAt }) => ({
        token,
        expiresAt: Date.parse(expiresAt),
        client: await octokit(baseUrl, token, warn, options.fetch),
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
    repoToken: (repo, access) =>
      installationId(repo)
        .andThen((id) => mint(id, { repo, access }))
        .andThen((t) =>
          fresh(t, 0)
            ? okAsync({ token: t.token, expiresAt: t.expiresAt })
            : errAsync<RepoToken, ServiceError>({
                kind: 'auth',
                message: 'GitHub minted an installation token that has already expired',
              }),
        ),
    revokeRepoToken: (token) =>
      governor
        .run(() =>
          ResultAsync.fromPromise(
            octokit(baseUrl, token, warn, options.fetch).then((client) => client.rest.apps.revokeInstallationAccessToken()),
            (e) => toServiceError(e, now()),
          ),
        )
        .map(() => undefined),
    forget: (repo) => {
      const id = installations.get(key(repo));
      installations.delete(key(repo));
      if (id !== undefined) installationTokens.delete(id);
    },
  };
}
