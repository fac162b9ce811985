import type { Reply } from './http.js';
import type { Urls } from './shapes.js';
import type { FakeRepo, GithubState, IssuedToken, Permission } from './state.js';

/** Who a request authenticated as. A personal access token reaches every repository. */
export type Principal =
  | { kind: 'token'; token: string }
  | { kind: 'installation'; issued: IssuedToken }
  | { kind: 'app'; appId: string };

export interface DispatchRecord {
  owner: string;
  repo: string;
  workflow: string;
  ref: string;
  inputs: Record<string, string>;
  at: number;
  /** The run the dispatch created, when it created one. */
  runId?: number;
}

/** What an `onDispatch` hook may answer: no run at all, or the run's fields to use. */
export type DispatchOutcome =
  | { createRun: false }
  | { createRun?: true; displayTitle?: string; status?: 'queued' | 'in_progress' | 'completed'; conclusion?: string | null };

// biome-ignore lint/suspicious/noConfusingVoidType: a hook may return nothing at all.
export type DispatchHook = (dispatch: DispatchRecord) => DispatchOutcome | undefined | void;

export interface Ctx {
  state: GithubState;
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  principal: Principal;
  now: number;
  urls: Urls;
  dispatches: DispatchRecord[];
  dispatchHooks: DispatchHook[];
}

export interface RepoRoute {
  method: string;
  pattern: string;
  auth: 'repo';
  /** The installation-token permissions the call needs; a personal token has them all. */
  permissions: (ctx: Ctx) => Array<[string, Permission]>;
  handle: (ctx: Ctx, repo: FakeRepo) => Reply;
}

export interface AppRoute {
  method: string;
  pattern: string;
  auth: 'app';
  handle: (ctx: Ctx, appId: string) => Reply;
}

/** A route about the caller rather than one repository (`/user/repos`, `/installation/repositories`). */
export interface UserRoute {
  method: string;
  pattern: string;
  auth: 'user';
  handle: (ctx: Ctx) => Reply;
}

/** A route an installation token calls about itself (`DELETE /installation/token`). */
export interface InstallationRoute {
  method: string;
  pattern: string;
  auth: 'installation';
  handle: (ctx: Ctx, issued: IssuedToken) => Reply;
}

export type Route = RepoRoute | AppRoute | UserRoute | InstallationRoute;

/** Compiles `/repos/:owner/:repo/contents/*path` into a matcher of an already decoded path. */
export function compile(pattern: string): (path: string) => Record<string, string> | undefined {
  const names: string[] = [];
  const source = pattern
    .split('/')
    .map((part) => {
      if (part.startsWith(':')) {
        names.push(part.slice(1));
        return '([^/]+)';
      }
      if (part.startsWith('*')) {
        names.push(part.slice(1));
        return '(.+)';
      }
      return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  const re = new RegExp(`^${source}/?$`);
  return (path) => {
    const m = re.exec(path);
    if (!m) return undefined;
    return Object.fromEntries(names.map((n, i) => [n, m[i + 1] ?? '']));
  };
}
