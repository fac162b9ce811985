import type { KeyObject } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { actionsRoutes } from './actions.routes.js';
import { isJwt, publicKeyFrom, verifyAppJwt } from './app-jwt.js';
import { accessTokensRoute, appRoute, repoInstallationRoute, revokeInstallationTokenRoute } from './apps.routes.js';
import { contentsRoutes } from './contents.routes.js';
import { fail, notAccessible, notFound, type Reply, readBody, send } from './http.js';
import { issuesRoutes, repositoryListRoutes } from './issues.routes.js';
import { pullsRoutes } from './pulls.routes.js';
import { type Ctx, compile, type DispatchHook, type DispatchRecord, type Principal, type Route } from './route.js';
import {
  type FakeIssue,
  type FakePull,
  type FakeRepo,
  type FakeRun,
  GithubState,
  type IssuedToken,
  type Permissions,
  randomSha,
} from './state.js';

export type { DispatchHook, DispatchOutcome, DispatchRecord } from './route.js';
export type { FakeComment, FakeIssue, FakePull, FakeRun, IssuedToken } from './state.js';

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  body: unknown;
  status: number;
  at: number;
}

export interface FaultRule {
  method?: string;
  path?: string | RegExp;
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** How many matching requests get this answer; 1 unless told. */
  times?: number;
  /** The request is read and never answered (until the fake closes): a hung GitHub. */
  hang?: boolean;
  /**
   * GitHub acts on the request as usual and then its answer is lost: `hang` never answers,
   * otherwise `status` comes back (a 502 from a front end after the backend did the work).
   */
  afterHandling?: boolean;
}

export interface FakeGithubOptions {
  /** The fake's clock (rate-limit windows, token and JWT expiry, timestamps). */
  now?: () => number;
  /** Lifetime of minted installation tokens; an hour, as on GitHub. */
  tokenLifetimeMs?: number;
  /** Stands in for https://github.com in `html_url`s. */
  htmlUrl?: string;
}

export interface FakeGithub {
  /** The API base URL, e.g. `http://127.0.0.1:PORT` (what `GITHUB_API_URL` would be). */
  url: string;
  /** What stands in for https://github.com in the fake's `html_url`s. */
  htmlUrl: string;
  /** Every request, in order, with the status it got. */
  requests: RecordedRequest[];
  /** Every accepted workflow dispatch. */
  dispatches: DispatchRecord[];
  state: GithubState;
  addToken(token: string): void;
  addRepo(repo: { owner: string; repo: string; defaultBranch?: string; files?: Record<string, string> }): void;
  /** A branch off `from` (the default branch) with `files` changed on it: one commit. */
  addBranch(owner: string, repo: string, branch: string, files?: Record<string, string>, from?: string): void;
  readFile(owner: string, repo: string, path: string, branch?: string): string | undefined;
  writeFile(owner: string, repo: string, path: string, content: string, branch?: string): void;
  addApp(app: { appId: string | number; publicKey: string | KeyObject }): void;
  addInstallation(inst: {
    id: number;
    appId: string | number;
    account: string;
    repositories?: 'all' | string[];
    permissions: Permissions;
  }): void;
  issuedTokens(): IssuedToken[];
  /** Called on each accepted dispatch; may say to create no run, or how to title it. */
  onDispatch(hook: DispatchHook): () => void;
  createRun(run: {
    owner: string;
    repo: string;
    workflow: string;
    displayTitle: string;
    status?: FakeRun['status'];
    conclusion?: string | null;
    createdAt?: number;
    event?: string;
    branch?: string;
  }): FakeRun;
  updateRun(id: number, patch: { status?: FakeRun['status']; conclusion?: string | null }): void;
  runs(owner: string, repo: string): FakeRun[];
  pulls(owner: string, repo: string): FakePull[];
  mergePull(owner: string, repo: string, number: number): void;
  /** An issue, numbered after the repository's issues and pull requests; labels are created on the repository. */
  addIssue(issue: {
    owner: string;
    repo: string;
    title: string;
    body?: string;
    labels?: string[];
    /** The `Priority` issue field's option (`Urgent`, `High`, `Medium`, `Low`). */
    priority?: string;
    state?: 'open' | 'closed';
    stateReason?: FakeIssue['stateReason'];
    createdAt?: number;
  }): FakeIssue;
  issue(owner: string, repo: string, number: number): FakeIssue | undefined;
  /** `issue` is blocked by `blocker` (GitHub's issue dependencies). */
  addBlockedBy(issue: FakeIssue, blocker: FakeIssue): void;
  /** Changes an issue as a person would in GitHub's UI (its `updated_at` moves). */
  editIssue(
    issue: FakeIssue,
    patch: { labels?: string[]; state?: 'open' | 'closed'; stateReason?: FakeIssue['stateReason'] },
  ): void;
  /** The next matching request(s) get this answer instead, before auth. */
  failNext(rule: FaultRule): void;
  /** Primary rate limit: every authenticated call fails until `resetInSeconds` pass on the fake's clock. */
  exhaustRateLimit(opts: { resetInSeconds: number; status?: 403 | 429 }): void;
  /** Secondary rate limit: the next `times` calls get 403/429 with `retry-after`. */
  secondaryRateLimit(opts: { retryAfterSeconds: number; times?: number; status?: 403 | 429 }): void;
  close(): Promise<void>;
}

const LIMIT = 5000;

const safeDecode = (s: string) => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

export async function startFakeGithub(options: FakeGithubOptions = {}): Promise<FakeGithub> {
  const now = options.now ?? Date.now;
  const state = new GithubState();
  const requests: RecordedRequest[] = [];
  const dispatches: DispatchRecord[] = [];
  const hooks: DispatchHook[] = [];
  const faults: Array<FaultRule & { left: number }> = [];
  const publicKeys = new Map<string, KeyObject>();
  const rate = { remaining: LIMIT, resetAt: Math.floor(now() / 1000) + 3600, status: 403 as 403 | 429 };
  const urls = { api: '', html: options.htmlUrl ?? 'https://github.example' };

  const routes: Route[] = [
    ...actionsRoutes,
    ...pullsRoutes,
    ...contentsRoutes,
    ...issuesRoutes,
    ...repositoryListRoutes,
    accessTokensRoute(() => options.tokenLifetimeMs ?? 3_600_000),
    repoInstallationRoute,
    appRoute,
    revokeInstallationTokenRoute,
  ];
  const compiled = routes.map((route) => ({ route, match: compile(route.pattern) }));

  const rateHeaders = (): Record<string, string> => {
    const t = now();
    if (t >= rate.resetAt * 1000) {
      rate.remaining = LIMIT;
      rate.resetAt = Math.floor(t / 1000) + 3600;
    }
    return {
      'x-ratelimit-limit': String(LIMIT),
      'x-ratelimit-remaining': String(rate.remaining),
      'x-ratelimit-reset': String(rate.resetAt),
      'x-ratelimit-used': String(LIMIT - rate.remaining),
      'x-ratelimit-resource': 'core',
    };
  };

  const authenticate = (header: string | undefined, route: Route): Principal | Reply => {
    if (!header) return fail(401, 'Requires authentication');
    const m = /^(token|bearer)\s+(\S+)$/i.exec(header.trim());
    if (!m?.[2]) return fail(401, 'Bad credentials');
    const credential = m[2];
    if (route.auth === 'app') {
      if (!isJwt(credential)) return fail(401, 'A JSON web token could not be decoded');
      const check = verifyAppJwt(credential, publicKeys, now());
      return check.ok ? { kind: 'app', appId: check.appId } : fail(401, check.message);
    }
    if (state.tokens.has(credential)) return { kind: 'token', token: credential };
    const issued = state.issuedTokens.get(credential);
    if (issued)
      return issued.expiresAt > now() && !issued.revoked ? { kind: 'installation', issued } : fail(401, 'Bad credentials');
    if (isJwt(credential) && verifyAppJwt(credential, publicKeys, now()).ok) return notAccessible();
    return fail(401, 'Bad credentials');
  };

  /** An installation token reaches only its repositories (404 otherwise) with its permissions (403). */
  const authorize = (principal: Principal, repo: FakeRepo, needs: Array<[string, 'read' | 'write']>): Reply | undefined => {
    if (principal.kind !== 'installation') return undefined;
    const { issued } = principal;
    const inScope =
      issued.account.toLowerCase() === repo.owner.toLowerCase() &&
      (issued.repositories === 'all' || issued.repositories.includes(repo.name.toLowerCase()));
    if (!inScope) return notFound();
    const ok = needs.every(([name, level]) => {
      if (name === 'metadata') return true;
      const has = issued.permissions[name];
      return has === 'write' || (has === 'read' && level === 'read');
    });
    return ok ? undefined : notAccessible();
  };

  const handle = async (req: IncomingMessage, body: unknown, path: string, query: URLSearchParams): Promise<Reply> => {
    const method = req.method ?? 'GET';
    const fault = faults.find(
      (f) =>
        f.left > 0 &&
        (f.method === undefined || f.method === method) &&
        (f.path === undefined || (typeof f.path === 'string' ? path === f.path : f.path.test(path))),
    );
    if (fault) {
      fault.left -= 1;
      if (fault.afterHandling) await handleAsUsual(req, body, path, query);
      if (fault.hang) {
        // Recorded as it arrives (status 0: never answered), so a test can count hung requests.
        requests.push({ method, path, query: Object.fromEntries(query), headers: req.headers, body, status: 0, at: now() });
        return new Promise<never>(() => {});
      }
      return {
        status: fault.status,
        body: fault.body ?? { message: 'Server Error', status: String(fault.status) },
        headers: fault.headers,
      };
    }
    return handleAsUsual(req, body, path, query);
  };

  const handleAsUsual = async (req: IncomingMessage, body: unknown, path: string, query: URLSearchParams): Promise<Reply> => {
    const method = req.method ?? 'GET';
    let found: { route: Route; params: Record<string, string> } | undefined;
    for (const { route, match } of compiled) {
      if (route.method !== method) continue;
      const params = match(path);
      if (params) {
        found = { route, params };
        break;
      }
    }
    if (!found) return notFound();
    const { route, params } = found;
    const principal = authenticate(req.headers.authorization, route);
    if ('status' in principal) return principal;

    rateHeaders();
    if (rate.remaining <= 0) {
      const who = principal.kind === 'installation' ? `installation ID ${principal.issued.installationId}` : 'user ID 1';
      return fail(rate.status, `API rate limit exceeded for ${who}.`, {
        documentationUrl: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api',
      });
    }
    rate.remaining -= 1;

    const ctx: Ctx = { state, params, query, body, principal, now: now(), urls, dispatches, dispatchHooks: hooks };
    if (route.auth === 'app') return route.handle(ctx, (principal as { appId: string }).appId);
    if (route.auth === 'user') return route.handle(ctx);
    if (route.auth === 'installation')
      return principal.kind === 'installation'
        ? route.handle(ctx, principal.issued)
        : fail(403, 'Resource not accessible by personal access token');
    const repo = state.repo(params.owner ?? '', params.repo ?? '');
    if (!repo) return notFound();
    const denied = authorize(principal, repo, route.permissions(ctx));
    return denied ?? route.handle(ctx, repo);
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const { json, raw } = await readBody(req);
      // Octokit sends a contents path's slashes as %2F; GitHub (and the fake) take either.
      const path = safeDecode(url.pathname).replace(/^\/api\/v3(?=\/)/, '');
      let reply: Reply;
      try {
        reply = await handle(req, json ?? (raw === '' ? undefined : raw), path, url.searchParams);
      } catch (error) {
        reply = fail(500, `fake github: ${error instanceof Error ? error.message : String(error)}`);
      }
      requests.push({
        method: req.method ?? 'GET',
        path,
        query: Object.fromEntries(url.searchParams),
        headers: req.headers,
        body: json ?? (raw === '' ? undefined : raw),
        status: reply.status,
        at: now(),
      });
      send(res, reply, {
        ...rateHeaders(),
        date: new Date(now()).toUTCString(), // GitHub's clock: the fake's
        'x-github-request-id': randomSha().slice(0, 16),
        'x-github-api-version-selected': '2022-11-28',
      });
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  urls.api = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const repoOf = (owner: string, name: string): FakeRepo => {
    const repo = state.repo(owner, name);
    if (!repo) throw new Error(`fake github: no repository ${owner}/${name}`);
    return repo;
  };

  return {
    url: urls.api,
    htmlUrl: urls.html,
    requests,
    dispatches,
    state,
    addToken: (token) => void state.tokens.add(token),
    addRepo: ({ owner, repo, defaultBranch = 'main', files = {} }) => void state.addRepo(owner, repo, defaultBranch, files),
    addBranch: (owner, name, branch, files = {}, from) => {
      const repo = repoOf(owner, name);
      const base = repo.branches.get(from ?? repo.defaultBranch);
      if (!base) throw new Error(`fake github: no branch ${from}`);
      const copy = new Map(base.files);
      for (const [p, text] of Object.entries(files)) copy.set(p, text);
      repo.branches.set(branch, { sha: Object.keys(files).length > 0 ? randomSha() : base.sha, files: copy });
    },
    readFile: (owner, name, path, branch) => {
      const repo = repoOf(owner, name);
      return repo.branches.get(branch ?? repo.defaultBranch)?.files.get(path);
    },
    writeFile: (owner, name, path, content, branch) => {
      const repo = repoOf(owner, name);
      const b = repo.branches.get(branch ?? repo.defaultBranch);
      if (!b) throw new Error(`fake github: no branch ${branch}`);
      b.files.set(path, content);
      b.sha = randomSha();
    },
    addApp: ({ appId, publicKey }) => {
      const key = publicKeyFrom(publicKey);
      publicKeys.set(String(appId), key);
      state.apps.set(String(appId), { appId: String(appId), slug: `app-${appId}`, publicKey: key });
    },
    addInstallation: ({ id, appId, account, repositories = 'all', permissions }) =>
      void state.installations.set(id, { id, appId: String(appId), account, repositories, permissions }),
    issuedTokens: () => [...state.issuedTokens.values()],
    onDispatch: (hook) => {
      hooks.push(hook);
      return () => {
        const i = hooks.indexOf(hook);
        if (i >= 0) hooks.splice(i, 1);
      };
    },
    createRun: ({
      owner,
      repo: name,
      workflow,
      displayTitle,
      status = 'queued',
      conclusion = null,
      createdAt,
      event,
      branch,
    }) => {
      const repo = repoOf(owner, name);
      const path = `.github/workflows/${workflow}`;
      const at = createdAt ?? now();
      const run: FakeRun = {
        id: state.id(),
        owner: repo.owner,
        repo: repo.name,
        workflowPath: path,
        workflowName: path,
        displayTitle,
        headBranch: branch ?? repo.defaultBranch,
        headSha: repo.branches.get(branch ?? repo.defaultBranch)?.sha ?? randomSha(),
        event: event ?? 'workflow_dispatch',
        status,
        conclusion,
        runNumber: repo.runs.filter((r) => r.workflowPath === path).length + 1,
        inputs: {},
        createdAt: at,
        updatedAt: at,
      };
      repo.runs.push(run);
      return run;
    },
    updateRun: (id, patch) => {
      const run = state.allRuns().find((r) => r.id === id);
      if (!run) throw new Error(`fake github: no run ${id}`);
      Object.assign(run, patch, { updatedAt: now() });
    },
    runs: (owner, name) => repoOf(owner, name).runs,
    pulls: (owner, name) => repoOf(owner, name).pulls,
    mergePull: (owner, name, number) => {
      const pr = repoOf(owner, name).pulls.find((p) => p.number === number);
      if (!pr) throw new Error(`fake github: no pull ${number}`);
      Object.assign(pr, { state: 'closed', mergedAt: now(), closedAt: now(), updatedAt: now() });
    },
    addIssue: ({ owner, repo: name, title, body = '', labels = [], priority, state: open = 'open', stateReason, createdAt }) => {
      const repo = repoOf(owner, name);
      const at = createdAt ?? now();
      const issue: FakeIssue = {
        id: state.id(),
        number: repo.nextIssueNumber++,
        title,
        body,
        state: open,
        stateReason: open === 'closed' ? (stateReason ?? 'completed') : null,
        labels: labels.map((l) => state.label(repo, l).name),
        ...(priority !== undefined ? { priority } : {}),
        comments: [],
        blockedBy: [],
        createdAt: at,
        updatedAt: Math.max(at, now()),
        closedAt: open === 'closed' ? now() : null,
      };
      repo.issues.push(issue);
      return issue;
    },
    issue: (owner, name, number) => repoOf(owner, name).issues.find((i) => i.number === number),
    addBlockedBy: (issue, blocker) => {
      if (!issue.blockedBy.includes(blocker.id)) issue.blockedBy.push(blocker.id);
      issue.updatedAt = now();
    },
    editIssue: (issue, patch) => {
      const found = state.issueById(issue.id);
      if (!found) throw new Error(`fake github: no issue ${issue.id}`);
      if (patch.labels) issue.labels = patch.labels.map((l) => state.label(found.repo, l).name);
      if (patch.state === 'closed') {
        Object.assign(issue, { state: 'closed', stateReason: patch.stateReason ?? 'completed', closedAt: now() });
      } else if (patch.state === 'open') {
        Object.assign(issue, { state: 'open', stateReason: 'reopened', closedAt: null });
      }
      issue.updatedAt = now();
    },
    failNext: (rule) => void faults.push({ ...rule, left: rule.times ?? 1 }),
    exhaustRateLimit: ({ resetInSeconds, status = 403 }) => {
      rate.remaining = 0;
      rate.resetAt = Math.floor(now() / 1000) + resetInSeconds;
      rate.status = status;
    },
    secondaryRateLimit: ({ retryAfterSeconds, times = 1, status = 403 }) =>
      void faults.push({
        status,
        times,
        left: times,
        headers: { 'retry-after': String(retryAfterSeconds) },
        body: {
          message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
          documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
          status: String(status),
        },
      }),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
