import { randomBytes } from 'node:crypto';
import { fail, isoSeconds, noContent, notFound, ok, type Reply } from './http.js';
import type { AppRoute, Ctx, InstallationRoute } from './route.js';
import { installationJson, repoJson } from './shapes.js';
import type { IssuedToken, Permission, Permissions } from './state.js';

const rank: Record<Permission, number> = { read: 1, write: 2 };

/** Installation tokens live an hour on GitHub; the fake's lifetime can be shortened. */
export function accessTokensRoute(lifetimeMs: () => number): AppRoute {
  return {
    method: 'POST',
    pattern: '/app/installations/:id/access_tokens',
    auth: 'app',
    handle: (ctx: Ctx, appId: string): Reply => {
      const inst = ctx.state.installations.get(Number(ctx.params.id));
      if (!inst || inst.appId !== appId) return notFound();
      const body = (ctx.body ?? {}) as { repositories?: unknown; repository_ids?: unknown; permissions?: unknown };
      const covers = (name: string) =>
        inst.repositories === 'all' || inst.repositories.some((r) => r.toLowerCase() === name.toLowerCase());

      let names: string[] | undefined;
      if (Array.isArray(body.repositories) || Array.isArray(body.repository_ids)) {
        const byName = Array.isArray(body.repositories) ? body.repositories.map(String) : [];
        const byId = Array.isArray(body.repository_ids)
          ? body.repository_ids.map((id) => [...ctx.state.repos.values()].find((r) => r.id === Number(id))?.name ?? `#${id}`)
          : [];
        names = [...byName, ...byId];
        const reachable = names.every((n) => ctx.state.repo(inst.account, n) !== undefined && covers(n));
        if (!reachable) {
          return fail(
            422,
            'There is at least one repository that does not exist or is not accessible to the parent installation.',
          );
        }
      }

      let permissions: Permissions = inst.permissions;
      if (typeof body.permissions === 'object' && body.permissions !== null) {
        permissions = body.permissions as Permissions;
        const granted = Object.entries(permissions).every(([name, level]) => {
          const has = inst.permissions[name];
          return has !== undefined && rank[level] !== undefined && rank[has] >= rank[level];
        });
        if (!granted) return fail(422, 'The permissions requested are not granted to this installation.');
      }

      const issued: IssuedToken = {
        token: `ghs_${randomBytes(27).toString('base64url').replace(/[-_]/g, 'x').slice(0, 36)}`,
        installationId: inst.id,
        account: inst.account,
        repositories: names
          ? names.map((n) => n.toLowerCase())
          : inst.repositories === 'all'
            ? 'all'
            : inst.repositories.map((n) => n.toLowerCase()),
        permissions,
        expiresAt: ctx.now + lifetimeMs(),
        requested: ctx.body,
      };
      ctx.state.issuedTokens.set(issued.token, issued);
      const answer: Record<string, unknown> = {
        token: issued.token,
        expires_at: isoSeconds(issued.expiresAt),
        permissions,
        repository_selection: names || inst.repositories !== 'all' ? 'selected' : 'all',
      };
      if (names) {
        answer.repositories = names.map((n) => {
          const repo = ctx.state.repo(inst.account, n);
          return repo ? repoJson(repo, ctx.urls) : { name: n };
        });
      }
      return ok(answer, 201);
    },
  };
}

export const repoInstallationRoute: AppRoute = {
  method: 'GET',
  pattern: '/repos/:owner/:repo/installation',
  auth: 'app',
  handle: (ctx, appId) => {
    const { owner = '', repo = '' } = ctx.params;
    if (!ctx.state.repo(owner, repo)) return notFound();
    const inst = ctx.state.installationFor(appId, owner, repo);
    return inst ? ok(installationJson(inst, ctx.urls)) : notFound();
  },
};

export const appRoute: AppRoute = {
  method: 'GET',
  pattern: '/app',
  auth: 'app',
  handle: (ctx, appId) =>
    ok({ id: Number(appId), slug: ctx.state.apps.get(appId)?.slug ?? `app-${appId}`, name: `App ${appId}` }),
};

/** `DELETE /installation/token`: an installation token revokes itself (204); it is refused from then on. */
export const revokeInstallationTokenRoute: InstallationRoute = {
  method: 'DELETE',
  pattern: '/installation/token',
  auth: 'installation',
  handle: (_ctx, issued) => {
    issued.revoked = true;
    return noContent();
  },
};
