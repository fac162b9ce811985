import type { CheckoutSource, ForgeRegistry, PullRequest } from '../../../ports/forge.port.js';
import type { Storage } from '../../../ports/storage.port.js';
import { IN_FLIGHT_STATUSES } from '../../domain/job-status.js';
import type { ForgeKind, TicketingKind } from '../../domain/model.js';
import type { CoreSettings } from '../core-settings.js';
import { PULLS_COLLECTION } from '../pulls/pulls.service.js';
import { answerWithin, formatDeadline, OPERATOR_CALL_DEADLINE_MS } from './operator-deadline.js';

export interface GitContextDeps {
  storage: Storage;
  forgeRegistry: ForgeRegistry;
  /** Where a GitHub mapping's code is when no GitHub connection is configured (as the run environment does). */
  config: Pick<CoreSettings, 'githubApiUrl'>;
  /** How long a repository's forge is waited on before its records stand in (default OPERATOR_CALL_DEADLINE_MS). */
  deadlineMs?: number;
}

export interface RepositoryContext {
  teamKey: string;
  forge: ForgeKind;
  repository: string;
  /** Where sessions clone from, or null when the forge has no connection configured. */
  remote: string | null;
  defaultBranch: string;
  branchPrefix: string;
  /** Which tickets land in this repository. */
  routing: { ticketing: TicketingKind; team: string; jql: string | null; repoFieldValue: string | null; paused: boolean };
  /** The bot's branches with a run in flight or an open pull request. */
  branches: { name: string; identifier: string; jobId: string | null; pullRequest: string | null }[];
  pullRequests: { number: number; url: string; branch: string | null; identifier: string; openedAt: number }[];
  /** `forge`: the bot's open pull requests as the forge lists them now; `records`: the orchestrator's own (no forge to ask, or it failed). */
  pullRequestsFrom: 'forge' | 'records';
  /** Why the forge could not be asked, when it could not. */
  forgeError: string | null;
}

export interface GitContextService {
  context(): Promise<{ repositories: RepositoryContext[] }>;
}

/** A local forge's repository path, or the clone URL of a GitHub (or GitHub Enterprise Server) API's repository. */
function remoteOf(source: CheckoutSource | undefined, owner: string, repo: string): string | null {
  if (!source) return null;
  if ('repoUrl' in source) return source.repoUrl;
  try {
    const api = new URL(source.apiUrl);
    const host = api.hostname === 'api.github.com' ? 'github.com' : api.host;
    return `${api.protocol}//${host}/${owner}/${repo}.git`;
  } catch {
    return null;
  }
}

/**
 * `GET /api/v1/git/context`: per mapping, its repository, branches and routing rules. The bot's
 * open pull requests (branches under the mapping's prefix) come from the forge, one request per
 * repository, whoever opened them; when the forge cannot be asked, from the orchestrator's own
 * records, saying why. Branches: runs in flight and open pull requests.
 */
export function createGitContextService({
  storage,
  forgeRegistry,
  config,
  deadlineMs = OPERATOR_CALL_DEADLINE_MS,
}: GitContextDeps): GitContextService {
  return {
    async context() {
      const [mappings, pulls, inFlight] = await Promise.all([
        storage.mappings.list(),
        storage.documents.list(PULLS_COLLECTION),
        storage.jobs.list({ statuses: IN_FLIGHT_STATUSES }),
      ]);
      const asked = new Map<string, Promise<{ pulls: PullRequest[] } | { error: string } | undefined>>();
      const fromForge = (m: (typeof mappings)[number]) => {
        const key = `${m.forge}:${m.owner}/${m.repo}`.toLowerCase();
        let answer = asked.get(key);
        if (!answer) {
          const forge = forgeRegistry.get(m.forge);
          // An operator waits on this: a hung forge gives way to the records, saying so.
          answer = forge?.listOpenPullRequests
            ? answerWithin(
                forge.listOpenPullRequests({ owner: m.owner, repo: m.repo }).match(
                  (found) => ({ pulls: found }),
                  (e) => ({ error: e.message }),
                ),
                deadlineMs,
                () => ({ error: `no answer within ${formatDeadline(deadlineMs)}` }),
              )
            : Promise.resolve(undefined);
          asked.set(key, answer);
        }
        return answer;
      };
      const forgeAnswers = await Promise.all(mappings.map((m) => fromForge(m)));
      const repositories = mappings
        .map((m, i) => ({ m, forgeAnswer: forgeAnswers[i] }))
        .sort((a, b) => a.m.teamKey.localeCompare(b.m.teamKey))
        .map(({ m, forgeAnswer }): RepositoryContext => {
          const same = (owner: string, repo: string) =>
            owner.toLowerCase() === m.owner.toLowerCase() && repo.toLowerCase() === m.repo.toLowerCase();
          const tracked = pulls.filter((p) => same(p.owner, p.repo));
          const listed = forgeAnswer && 'pulls' in forgeAnswer ? forgeAnswer.pulls : undefined;
          const open = listed
            ? listed
                .filter((p) => p.branch.startsWith(m.branchPrefix))
                .map((p) => ({
                  number: p.number,
                  url: p.url,
                  branch: p.branch as string | undefined,
                  identifier: tracked.find((t) => t.number === p.number)?.identifier ?? p.branch.slice(m.branchPrefix.length),
                  openedAt: p.createdAt,
                }))
            : tracked.filter((p) => !p.merged);
          const branchOf = (identifier: string) => `${m.branchPrefix}${identifier}`;
          const names = new Map<string, RepositoryContext['branches'][number]>();
          for (const job of inFlight.filter((j) => j.teamKey === m.teamKey && same(j.owner, j.repo))) {
            names.set(branchOf(job.identifier), {
              name: branchOf(job.identifier),
              identifier: job.identifier,
              jobId: job.id,
              pullRequest: null,
            });
          }
          for (const pull of open) {
            const name = pull.branch ?? branchOf(pull.identifier);
            names.set(name, { name, identifier: pull.identifier, jobId: names.get(name)?.jobId ?? null, pullRequest: pull.url });
          }
          let remote: string | null = null;
          try {
            const fallback = m.forge === 'github' ? { apiUrl: config.githubApiUrl } : undefined;
            const source = forgeRegistry.get(m.forge)?.checkoutSource({ owner: m.owner, repo: m.repo }) ?? fallback;
            remote = remoteOf(source, m.owner, m.repo);
          } catch {
            remote = null;
          }
          return {
            teamKey: m.teamKey,
            forge: m.forge,
            repository: `${m.owner}/${m.repo}`,
            remote,
            defaultBranch: m.defaultBranch,
            branchPrefix: m.branchPrefix,
            routing: {
              ticketing: m.ticketing,
              team: m.teamKey,
              jql: m.jql ?? null,
              repoFieldValue: m.repoFieldValue ?? null,
              paused: m.paused,
            },
            branches: [...names.values()].sort((a, b) => a.name.localeCompare(b.name)),
            pullRequests: open
              .map((p) => ({
                number: p.number,
                url: p.url,
                branch: p.branch ?? null,
                identifier: p.identifier,
                openedAt: p.openedAt,
              }))
              .sort((a, b) => a.number - b.number),
            pullRequestsFrom: listed ? 'forge' : 'records',
            forgeError:
              forgeAnswer && 'error' in forgeAnswer
                ? forgeAnswer.error
                : forgeAnswer
                  ? null
                  : forgeRegistry.get(m.forge)
                    ? `the ${m.forge} forge cannot list pull requests`
                    : `no ${m.forge} connection configured`,
          };
        });
      return { repositories };
    },
  };
}
