import type { Logger } from '../../../ports/logger.port.js';
import type { Storage } from '../../../ports/storage.port.js';
import { AI_LABELS, TRIGGER_LABEL } from '../../domain/lifecycle.js';
import { githubIssuesRepo } from '../../domain/mappings.js';
import type { ReconcileService } from '../dispatch/reconcile.service.js';

export interface GithubIssuesWebhookDeps {
  storage: Pick<Storage, 'mappings'>;
  reconcile: Pick<ReconcileService, 'request'>;
  logger: Logger;
}

export type GithubIssuesWebhookOutcome = { handled: 'issues' | 'issue_comment'; reconciling: string[] } | { ignored: string };

export interface GithubIssuesWebhookService {
  /**
   * An `issues` or `issue_comment` delivery, its signature already checked: reconciles at once
   * the GitHub Issues mappings whose issues live in the delivery's repository, and answers
   * before the reconcile finishes. Polling stays the safety net for a delivery that never comes.
   */
  receive(event: 'issues' | 'issue_comment', payload: Record<string, unknown>): Promise<GithubIssuesWebhookOutcome>;
}

/** The `issues` actions that can change which issues are candidates or where they stand. */
const RECONCILING_ACTIONS = new Set(['opened', 'edited', 'labeled', 'unlabeled', 'closed', 'reopened', 'deleted', 'transferred']);
const MANAGED = new Set([TRIGGER_LABEL, ...AI_LABELS].map((l) => l.toLowerCase()));

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);

function repositoryOf(payload: Obj): string | undefined {
  const repository = isObj(payload.repository) ? payload.repository : undefined;
  const owner = repository && isObj(repository.owner) ? str(repository.owner.login) : undefined;
  const name = str(repository?.name);
  return owner && name ? `${owner}/${name}`.toLowerCase() : (str(repository?.full_name)?.toLowerCase() ?? undefined);
}

function carriesLifecycleLabel(issue: Obj): boolean {
  const labels = Array.isArray(issue.labels) ? issue.labels : [];
  return labels.some((l) => {
    const name = typeof l === 'string' ? l : isObj(l) ? str(l.name) : undefined;
    return name !== undefined && MANAGED.has(name.toLowerCase());
  });
}

export function createGithubIssuesWebhookService({
  storage,
  reconcile,
  logger,
}: GithubIssuesWebhookDeps): GithubIssuesWebhookService {
  return {
    async receive(event, payload) {
      const action = str(payload.action) ?? 'missing';
      const issue = isObj(payload.issue) ? payload.issue : undefined;
      if (!issue) return { ignored: `${event}.${action} without an issue` };
      // A comment on a pull request arrives as `issue_comment` too: pull requests are not issues here.
      if (issue.pull_request !== undefined) return { ignored: `${event}.${action} on a pull request` };
      if (event === 'issues' && !RECONCILING_ACTIONS.has(action)) return { ignored: `issues.${action}` };
      if (event === 'issue_comment') {
        if (action !== 'created') return { ignored: `issue_comment.${action}` };
        if (isObj(payload.sender) && payload.sender.type === 'Bot') return { ignored: 'issue_comment by a bot' };
        if (!carriesLifecycleLabel(issue)) return { ignored: 'issue_comment on an issue outside the lifecycle' };
      }
      const repository = repositoryOf(payload);
      if (!repository) return { ignored: `${event}.${action} without a repository` };
      const teamKeys = (await storage.mappings.list())
        .filter((m) => m.ticketing === 'github')
        .filter((m) => {
          const scope = githubIssuesRepo(m);
          return `${scope.owner}/${scope.repo}`.toLowerCase() === repository;
        })
        .map((m) => m.teamKey);
      if (teamKeys.length === 0) return { ignored: `no GitHub Issues mapping for ${repository}` };
      void reconcile.request(teamKeys).catch((error) => logger.error('github issues webhook: reconcile failed', { error }));
      return { handled: event, reconciling: teamKeys };
    },
  };
}
