import { parseIssueId } from '../../../adapters/ticketing/github/github-issue.js';
import { createGithubTicketing, type GithubTicketingOptions } from '../../../adapters/ticketing/github/github-issues.adapter.js';
import { linearLabelsForStage } from '../../../core/domain/lifecycle.js';
import { MAPPING_DEFAULTS } from '../../../core/domain/mappings.js';
import type { Mapping } from '../../../core/domain/model.js';
import type { TicketingSubject } from '../../../testing/contracts/ticketing.contract.js';
import { type FakeGithub, type FakeGithubOptions, startFakeGithub } from '../../../testing/fakes/github/fake-github.js';
import { OWNER, REPO, TOKEN } from '../../../testing/fakes/github/seed.js';

export const GH_TEAM = 'WID';

export const githubMapping: Mapping = {
  ...MAPPING_DEFAULTS,
  extraEnv: {},
  ticketing: 'github',
  teamKey: GH_TEAM,
  owner: OWNER,
  repo: REPO,
  createdAt: 0,
  updatedAt: 0,
};

/** Linear's priority scale as the `Priority` issue field's options. */
export const PRIORITY_OPTION: Record<number, string> = { 1: 'Urgent', 2: 'High', 3: 'Medium', 4: 'Low' };

/**
 * The GitHub Issues adapter over the fake GitHub (acme/widgets, a personal token), as the
 * ticketing contract's subject; `fake` and `ticketing` for the adapter's own tests.
 */
export async function githubIssuesSubject(
  adapter: Partial<GithubTicketingOptions> = {},
  fakeOptions: FakeGithubOptions = {},
  mappings: Mapping[] = [githubMapping],
) {
  const fake: FakeGithub = await startFakeGithub(fakeOptions);
  fake.addRepo({ owner: OWNER, repo: REPO });
  fake.addToken(TOKEN);
  const ticketing = createGithubTicketing({
    baseUrl: fake.url,
    auth: { token: TOKEN },
    retry: { maxAttempts: 1 },
    mappings: async () => mappings,
    ...adapter,
  });
  const located = (id: string) => {
    const ref = parseIssueId(id);
    const issue = ref ? fake.issue(ref.owner, ref.repo, ref.number) : undefined;
    if (!issue) throw new Error(`no issue ${id} in the fake`);
    return issue;
  };
  const subject: TicketingSubject = {
    ticketing,
    mapping: githubMapping,
    pageSize: 100,
    timeResolutionMs: 1000,
    seed: async (issues) =>
      issues.map((seed) => {
        const trigger = seed.triggered ? ['AI-Implement'] : [];
        const issue = fake.addIssue({
          owner: OWNER,
          repo: REPO,
          title: seed.title,
          labels: seed.stage ? linearLabelsForStage(trigger, seed.stage) : trigger,
          ...(seed.priority ? { priority: PRIORITY_OPTION[seed.priority] } : {}),
          ...(seed.createdAt !== undefined ? { createdAt: seed.createdAt } : {}),
        });
        for (const blocker of seed.blockedBy ?? []) {
          const b = fake.addIssue({ owner: OWNER, repo: REPO, title: blocker.title, state: blocker.open ? 'open' : 'closed' });
          fake.addBlockedBy(issue, b);
        }
        return `${OWNER}/${REPO}#${issue.number}`;
      }),
    inspect: async (id) => {
      const issue = located(id);
      return { labels: [...issue.labels], comments: issue.comments.map((c) => c.body) };
    },
    requestCount: () => fake.requests.length,
    failNext: (kind) => {
      if (kind === 'rateLimited') fake.secondaryRateLimit({ retryAfterSeconds: 60 });
      else if (kind === 'serverError') fake.failNext({ status: 500 });
      else
        fake.failNext({
          status: 401,
          body: { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest', status: '401' },
        });
    },
    close: () => fake.close(),
  };
  return { fake, subject, ticketing };
}
