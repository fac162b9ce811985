import { createJiraTicketing, type JiraTicketingConfig } from '../../../adapters/ticketing/jira/jira.adapter.js';
import { JIRA_PRIORITY_NAME } from '../../../adapters/ticketing/jira/jira-issue.js';
import { validateMappingInput } from '../../../core/domain/mappings.js';
import type { TicketingSubject } from '../../../testing/contracts/ticketing.contract.js';
import { type FakeJira, type FakeJiraOptions, startFakeJira } from '../../../testing/fakes/jira/jira-fake.js';

/** The spec's lifecycle table, written out (not imported) so seeding follows the spec. */
const STATUS_OF_STAGE = {
  triggered: 'Ready',
  planning: 'Planning',
  plan_complete: 'Plan Approved',
  implementing: 'Implementing',
  pr_opened: 'PR Ready',
  planning_failed: 'Planning Failed',
  implementation_failed: 'Implementation Failed',
} as const;

export interface JiraSubject extends TicketingSubject {
  fake: FakeJira;
}

/**
 * The jira adapter on a fresh fake Jira, as the ticketing contract wants it. The mapping is
 * `project = ENG` with Repo `api`; two triggered issues outside that scope (another repo,
 * another project) are always present, so a scope that leaks shows up in every listing.
 */
export async function jiraSubject(
  adapter: Partial<JiraTicketingConfig> = { retry: { maxAttempts: 1 } },
  fakeOptions: FakeJiraOptions = {},
): Promise<JiraSubject> {
  const fake = await startFakeJira({ projects: ['ENG', 'OPS'], ...fakeOptions });
  fake.store.createIssue({ summary: 'other repo', status: 'Ready', repo: 'web' });
  fake.store.createIssue({ project: 'OPS', summary: 'other project', status: 'Ready', repo: 'api' });
  const mapping = validateMappingInput(
    {
      teamKey: 'ENG',
      ticketing: 'jira',
      jql: 'project = ENG',
      repoFieldValue: 'api',
      owner: 'acme',
      repo: 'api',
      defaultBranch: 'main',
    },
    undefined,
    0,
  )._unsafeUnwrap();
  const ticketing = createJiraTicketing({ host: fake.url, email: fake.email, apiToken: fake.apiToken, ...adapter });
  return {
    fake,
    ticketing,
    mapping,
    pageSize: 100,
    async seed(issues) {
      return issues.map((seed) => {
        const issue = fake.store.createIssue({
          summary: seed.title,
          status: seed.triggered ? STATUS_OF_STAGE[seed.stage ?? 'triggered'] : 'To Do',
          priority: JIRA_PRIORITY_NAME[seed.priority ?? 0] ?? null,
          repo: 'api',
          ...(seed.createdAt !== undefined ? { created: seed.createdAt } : {}),
        });
        for (const b of seed.blockedBy ?? []) {
          const blocker = fake.store.createIssue({ summary: b.title, status: b.open ? 'To Do' : 'Done', repo: 'api' });
          fake.store.linkBlocks(blocker.id, issue.id);
        }
        return issue.id;
      });
    },
    async inspect(id) {
      const issue = fake.store.issue(id);
      if (!issue) throw new Error(`fake jira has no issue ${id}`);
      return { labels: [...issue.labels], status: issue.status, comments: fake.commentTexts(id) };
    },
    requestCount: () => fake.requestCount(),
    failNext: (kind) => fake.failNext(kind),
    close: () => fake.close(),
  };
}
