import type { Middleware } from 'h3';
import type { AdminAuthService } from './admin-auth.service.js';
import { bearerToken } from './admin-auth.service.js';
import { errorResponse } from './errors.js';

/**
 * Endpoints under /api that runners, sessions and GitHub call with their own credentials
 * (a nonce, a run token, a webhook signature); the admin bearer token does not apply to them
 * and they exist whether or not the admin is enabled.
 */
export const SELF_AUTHENTICATED_PATHS: readonly string[] = [
  '/api/token',
  '/api/status',
  '/api/step-report',
  '/api/github/webhook',
];

const SELF_AUTHENTICATED: ReadonlySet<string> = new Set(SELF_AUTHENTICATED_PATHS);

/**
 * The API explorer's page and its static assets: like /admin they hold no data, so a browser
 * loads them without a bearer token; the document they fetch (/api/v1/openapi.json) stays guarded.
 */
export const DOCS_PAGE_PATH = '/api/docs';

/** Where the local forge's pull requests link to (PUBLIC_URL + this + /:owner/:repo/pull/:n). */
export const LOCAL_FORGE_PAGES = '/local-forge';

export type PathClass = 'public' | 'selfAuthenticated' | 'login' | 'adminPage' | 'adminApi';

/**
 * Which guard a path falls under. `pathname` is the one h3 routes on (already percent-decoded
 * and dot-segment-resolved), so the guard and the router always agree on the path.
 */
export function classifyPath(pathname: string): PathClass {
  const path = pathname.length > 1 && pathname.endsWith('/') ? pathname.replace(/\/+$/, '') : pathname;
  if (SELF_AUTHENTICATED.has(path)) return 'selfAuthenticated';
  if (path === '/api/auth') return 'login';
  if (path === DOCS_PAGE_PATH || path.startsWith(`${DOCS_PAGE_PATH}/assets/`)) return 'adminPage';
  if (path === '/api' || path.startsWith('/api/')) return 'adminApi';
  if (path === '/admin' || path.startsWith('/admin/')) return 'adminPage';
  // The local forge's pull-request pages: static pages of the admin that read /api with its token.
  if (path.startsWith(`${LOCAL_FORGE_PAGES}/`)) return 'adminPage';
  return 'public';
}

export interface AdminGuardDeps {
  adminAuth: AdminAuthService;
}

/**
 * With ADMIN_ACCESS_CODE unset the admin surface does not exist (404 for /admin, /api/auth
 * and every admin /api route); with it set, every admin /api route but /api/auth needs a
 * valid bearer token (401 otherwise). Runs before routing, so unknown /api paths are guarded too.
 */
export function createAdminGuard({ adminAuth }: AdminGuardDeps): Middleware {
  // Not an async function: a request the guard lets through at once (a runner's, a public page's)
  // goes on in the same turn instead of after a promise of nothing.
  return (event) => {
    const kind = classifyPath(event.url.pathname);
    if (kind === 'public' || kind === 'selfAuthenticated') return undefined;
    if (!adminAuth.enabled) return errorResponse({ kind: 'notFound' });
    if (kind !== 'adminApi') return undefined;
    return checkBearer(adminAuth, event.req.headers.get('authorization'));
  };
}

async function checkBearer(adminAuth: AdminAuthService, authorization: string | null): Promise<Response | undefined> {
  const token = bearerToken(authorization);
  if (!token || !(await adminAuth.verify(token))) return errorResponse({ kind: 'unauthorized' });
  return undefined;
}
