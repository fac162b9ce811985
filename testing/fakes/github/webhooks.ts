import { createRequire } from 'node:module';
import type { FakeGithub } from './fake-github.js';
import { commentJson, issueJson, labelJson, pullAsIssueJson, repoJson, type Urls } from './shapes.js';
import type { FakeComment, FakeIssue, FakePull } from './state.js';

/**
 * Webhook payloads for the fake's issues, shaped like GitHub's: each one starts from the
 * matching example of `@octokit/webhooks-examples` (the community's recorded deliveries) and
 * puts the fake's own issue, label, comment and repository objects in place of the example's.
 */

interface Definition {
  name: string;
  examples: Record<string, unknown>[];
}

const definitions = createRequire(import.meta.url)('@octokit/webhooks-examples') as Definition[];

function example(event: string, action: string): Record<string, unknown> {
  const found = definitions.find((d) => d.name === event)?.examples.find((e) => e.action === action);
  if (!found) throw new Error(`@octokit/webhooks-examples has no ${event}.${action} example`);
  return structuredClone(found);
}

const urlsOf = (fake: FakeGithub): Urls => ({ api: fake.url, html: fake.htmlUrl });

function located(fake: FakeGithub, issue: FakeIssue) {
  const found = fake.state.issueById(issue.id);
  if (!found) throw new Error(`fake github: no issue ${issue.id}`);
  return found.repo;
}

/** An `issues` delivery (`opened`, `labeled`, `unlabeled`, `closed`, …); `label` for the label actions. */
export function issuesPayload(fake: FakeGithub, action: string, issue: FakeIssue, label?: string): Record<string, unknown> {
  const repo = located(fake, issue);
  const urls = urlsOf(fake);
  const base = example(
    'issues',
    action === 'unlabeled' || action === 'labeled' ? action : action === 'closed' ? 'closed' : 'opened',
  );
  const payload: Record<string, unknown> = {
    ...base,
    action,
    issue: { ...(base.issue as object), ...issueJson(issue, repo, fake.state, urls), assignee: null },
    repository: { ...(base.repository as object), ...repoJson(repo, urls) },
  };
  if (label !== undefined) payload.label = labelJson(fake.state.label(repo, label), repo, urls);
  else delete payload.label;
  return payload;
}

/** An `issue_comment` delivery on an issue, or on a pull request (whose `issue` has a `pull_request` key). */
export function issueCommentPayload(
  fake: FakeGithub,
  action: 'created' | 'edited' | 'deleted',
  on: { issue: FakeIssue } | { pull: FakePull; owner: string; repo: string },
  comment: FakeComment,
): Record<string, unknown> {
  const urls = urlsOf(fake);
  const base = example('issue_comment', action);
  const repo = 'issue' in on ? located(fake, on.issue) : fake.state.repo(on.owner, on.repo);
  if (!repo) throw new Error('fake github: no repository for the comment');
  const issue = 'issue' in on ? issueJson(on.issue, repo, fake.state, urls) : pullAsIssueJson(on.pull, repo, urls);
  const asIssue: FakeIssue = 'issue' in on ? on.issue : ({ number: on.pull.number } as FakeIssue);
  const merged: Record<string, unknown> = { ...(base.issue as object), ...issue };
  if ('issue' in on) delete merged.pull_request; // the example may be a comment on a pull request
  return {
    ...base,
    action,
    issue: merged,
    comment: { ...(base.comment as object), ...commentJson(comment, asIssue, repo, urls) },
    repository: { ...(base.repository as object), ...repoJson(repo, urls) },
  };
}
