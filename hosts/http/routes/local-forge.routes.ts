import { err } from 'neverthrow';
import { z } from 'zod';
import type { PullViewService } from '../../../core/app/pulls/pull-view.service.js';
import { routesFor } from '../route.js';
import { millis } from '../schemas/components.schema.js';
import { pathParam } from '../schemas/params.schema.js';
import { type AdminPageDeps, HTML_PAGE, serveAsset } from './admin-page.routes.js';

export interface LocalForgeRoutesDeps {
  pullView: PullViewService;
}

/** The admin page's file that shows one pull request of the local forge (hosts/admin/local-forge-pull.html). */
export const LOCAL_FORGE_PULL_PAGE = 'local-forge-pull.html';

const pullParams = z.object({
  owner: pathParam('The repository owner'),
  repo: pathParam('The repository name'),
  number: pathParam('The pull request number'),
});

/** `PullRequestDetail` of ports/forge.port.ts. */
const LocalPullRequest = z
  .object({
    owner: z.string(),
    repo: z.string(),
    number: z.number().int(),
    url: z.string(),
    title: z.string(),
    body: z.string(),
    branch: z.string(),
    baseBranch: z.string(),
    state: z.enum(['open', 'closed', 'merged']),
    createdAt: millis(),
    headSha: z.string().nullable().describe('Null when neither the branch nor refs/pull/<n>/head exists any more'),
    commits: z.array(z.object({ sha: z.string(), subject: z.string(), author: z.string(), authoredAt: millis() })),
    diff: z.string().describe('Unified diff of the head against its merge base with the base branch, as plain text'),
    diffTruncated: z.boolean().describe('The diff was cut at 512 KiB'),
  })
  .meta({ id: 'LocalPullRequest' });

/** A positive whole number from a path segment, or undefined. */
const pullNumber = (text: string) => (/^[1-9]\d{0,9}$/.test(text) ? Number(text) : undefined);

const route = routesFor<LocalForgeRoutesDeps & AdminPageDeps>();

/**
 * The local forge has no web UI of its own: the links its pull requests carry
 * (`PUBLIC_URL/local-forge/:owner/:repo/pull/:n`) open a page of the admin (like /admin, a static
 * page guarded as one: 404 while the admin is disabled) that reads the JSON route with the admin token.
 */
export const localForgeRoutes = [
  route({
    method: 'get',
    path: '/local-forge/:owner/:repo/pull/:number',
    operationId: 'localForgePullPage',
    tag: 'Pull requests',
    summary: 'A local-forge pull request page (static; it fetches the pull request with the admin token)',
    params: pullParams,
    responses: { 200: HTML_PAGE },
    errors: [{ kind: 'notFound' }],
    handler: ({ event }, { adminAssets }) =>
      serveAsset(adminAssets, LOCAL_FORGE_PULL_PAGE, event.req.headers.get('if-none-match')),
  }),
  route({
    method: 'get',
    path: '/api/local-forge/:owner/:repo/pulls/:number',
    operationId: 'localForgePull',
    tag: 'Pull requests',
    summary: 'A local-forge pull request: title, body, branch, commits and the diff against the base',
    params: pullParams,
    responses: { 200: LocalPullRequest },
    errors: [{ kind: 'notFound' }, { kind: 'unavailable', message: '(the git error)' }],
    handler: async ({ params }, { pullView }) => {
      const number = pullNumber(params.number);
      if (number === undefined) return err({ kind: 'notFound' as const });
      return pullView.localPull(params.owner, params.repo, number);
    },
  }),
];
