import { err, ok, type Result } from 'neverthrow';
import type { Clock } from '../../../ports/clock.port.js';
import type { Logger } from '../../../ports/logger.port.js';
import type { Storage } from '../../../ports/storage.port.js';
import type { Ticketing } from '../../../ports/ticketing.port.js';
import type { WebhookVerifier } from '../../../ports/webhook-verifier.port.js';
import { resolveRunCaps } from '../../domain/caps.js';
import type { DispatchService } from '../dispatch/dispatch.service.js';
import type { GithubIssuesWebhookOutcome, GithubIssuesWebhookService } from '../issues/github-issues-webhook.service.js';
import { type TicketingRegistry, ticketingFor } from '../issues/ticketing-registry.js';
import type { PullsService, TrackedPull } from './pulls.service.js';

export interface GithubWebhookDeps {
  config: { githubWebhookSecret?: string };
  storage: Storage;
  clock: Clock;
  logger: Logger;
  pulls: PullsService;
  dispatcher: DispatchService;
  ticketingRegistry: TicketingRegistry;
  /** Checks `x-hub-signature-256` (adapters/forge/github). */
  githubWebhookVerifier: WebhookVerifier;
  /** `issues` and `issue_comment` deliveries, for mappings on GitHub Issues; without it they are ignored. */
  githubIssuesWebhook?: GithubIssuesWebhookService;
}

/** 503 body when GITHUB_WEBHOOK_SECRET is unset: the endpoint is disabled. */
export const WEBHOOK_DISABLED_MESSAGE = 'GitHub webhook not configured';
export const INVALID_SIGNATURE = 'Invalid signature';
export const MISSING_PR_FIELDS = 'Missing required PR fields';

export type GithubWebhookError =
  | { kind: 'unavailable'; message: string }
  | { kind: 'badSignature'; message: string }
  | { kind: 'invalidPayload' }
  | { kind: 'invalid'; message: string }
  | { kind: 'upstream'; message: string };

export type GithubWebhookOutcome =
  | { handled: 'merged'; pullRequest: string; identifier: string; duplicate: boolean }
  | { handled: 'redispatched'; pullRequest: string; identifier: string; jobId: string; iteration: number; maxIterations: number }
  | { handled: 'iteration-limit'; pullRequest: string; identifier: string; maxIterations: number }
  | GithubIssuesWebhookOutcome
  | { ignored: string };

export interface WebhookDelivery {
  /** `X-GitHub-Event`. */
  event: string | null;
  /** `X-Hub-Signature-256`. */
  signature: string | null;
}

/** A delivery whose signature verified: its payload and the event it is (the header, or judged by the payload). */
export interface VerifiedGithubDelivery {
  payload: Record<string, unknown>;
  event: string | null;
}

export interface GithubWebhookService {
  /** Checks the body is a JSON object and its signature holds; nothing is acted on yet. */
  verify(rawBody: Uint8Array, delivery: WebhookDelivery): Promise<Result<VerifiedGithubDelivery, GithubWebhookError>>;
  /** Acts on a verified delivery (also what a replay of a stored delivery runs). */
  act(delivery: VerifiedGithubDelivery): Promise<Result<GithubWebhookOutcome, GithubWebhookError>>;
  /** `verify`, then `act`. */
  receive(rawBody: Uint8Array, delivery: WebhookDelivery): Promise<Result<GithubWebhookOutcome, GithubWebhookError>>;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
const posInt = (v: unknown) => (typeof v === 'number' && Number.isSafeInteger(v) && v > 0 ? v : undefined);

/** The repository of a payload: `repository.owner.login` and `repository.name`, else `full_name`. */
function repositoryOf(payload: Obj): { owner: string; repo: string } | undefined {
  const repository = payload.repository;
  if (!isObj(repository)) return undefined;
  const owner = isObj(repository.owner) ? str(repository.owner.login) : undefined;
  const name = str(repository.name);
  if (owner && name) return { owner, repo: name };
  const [o, r, ...rest] = (str(repository.full_name) ?? '').split('/');
  return o && r && rest.length === 0 ? { owner: o, repo: r } : undefined;
}

export function mergedComment(number: number, url: string, sha: string): string {
  return `✅ Pull request #${number} merged (${sha.slice(0, 7)}): ${url}\n\nAI-Implement's work on this issue is done.`;
}

export function redispatchComment(
  number: number,
  reviewer: string | undefined,
  iteration: number,
  maxIterations: number,
): string {
  const by = reviewer ? ` by @${reviewer}` : '';
  return `🔁 Changes requested on pull request #${number}${by}. Re-running implementation (iteration ${iteration} of ${maxIterations}).`;
}

export function iterationLimitComment(number: number, maxIterations: number): string {
  return `⚠️ Changes requested on pull request #${number}, but the iteration limit (${maxIterations}) is reached. A person needs to take it from here.`;
}

/**
 * `POST /api/github/webhook`: GitHub's pull-request events for the repositories of the
 * mappings. The signature (`X-Hub-Signature-256`, HMAC-SHA256 of the raw body with
 * GITHUB_WEBHOOK_SECRET) is checked before anything in the payload is acted on; only a body
 * that is not a JSON object is refused (400) before it.
 *
 * - `pull_request` closed and merged, on a tracked pull request: the record is marked merged
 *   and the issue moves on. The spec's lifecycle ends at PR opened, and the Ticketing port has
 *   no move past it (removing the AI labels through it would mean a failed stage, and on Jira a
 *   "failed" status), so "on" here means: the issue is put at PR opened if its tracker missed
 *   that move, it gets a "✅ Pull request #N merged" comment saying AI-Implement is done, and
 *   its dedup entry is cleared. Closing the ticket is left to the tracker's own GitHub
 *   integration (Linear and Jira both close issues on merge). A redelivery comments once.
 *   A merged payload missing the number, URL, head branch, merge-commit SHA or repository is
 *   400 `Missing required PR fields`, whether or not it is tracked (without them it cannot be).
 * - `pull_request_review` submitted with state `changes_requested`, on a tracked, unmerged
 *   pull request: the implementation is dispatched again with the next dispatch number, up to
 *   the mapping's `maxIterations` (core/caps.ts; iteration = dispatch number). Past the limit
 *   the ticket gets a comment instead. While a run on the issue is still in flight the review
 *   is left for that run (ignored). One review is acted on once (redeliveries are ignored).
 *   Only a reviewer with write permission (REVIEW_DISPATCH_ASSOCIATIONS) starts a run.
 * - Everything else: 200, ignored, with the reason in the body.
 */
/**
 * Who may start a run by asking for changes: a user with write permission on the repository, as
 * GitHub states it on the review (`author_association`). A review by anyone else (a contributor,
 * a first-time commenter on a public repository) is ignored.
 */
export const REVIEW_DISPATCH_ASSOCIATIONS: readonly string[] = ['OWNER', 'MEMBER', 'COLLABORATOR'];

export function createGithubWebhookService(deps: GithubWebhookDeps): GithubWebhookService {
  const { config, storage, clock, logger, pulls, dispatcher, ticketingRegistry } = deps;

  async function comment(ticketing: Ticketing, pull: TrackedPull, body: string) {
    const posted = await ticketing.comment(pull.issueId, body);
    if (posted.isErr()) logger.warn('could not comment on the issue', { issue: pull.identifier, error: posted.error.message });
  }

  async function merged(payload: Obj): Promise<Result<GithubWebhookOutcome, GithubWebhookError>> {
    const pr = payload.pull_request as Obj;
    const number = posInt(pr.number) ?? posInt(payload.number);
    const url = str(pr.html_url);
    const branch = isObj(pr.head) ? str(pr.head.ref) : undefined;
    const sha = str(pr.merge_commit_sha);
    const repository = repositoryOf(payload);
    if (number === undefined || !url || !branch || !sha || !repository)
      return err({ kind: 'invalid', message: MISSING_PR_FIELDS });

    const pull = await pulls.find(repository.owner, repository.repo, number);
    if (!pull) return ok({ ignored: 'pull request not tracked' });
    const mergedAt = Date.parse(str(pr.merged_at) ?? '');
    const marked = await pulls.markMerged(pull, { at: Number.isFinite(mergedAt) ? mergedAt : clock.now(), sha, branch, url });
    const outcome = { handled: 'merged' as const, pullRequest: pull.id, identifier: pull.identifier, duplicate: !marked.changed };
    if (!marked.changed) return ok(outcome);

    await storage.dedup.remove(pull.issueId);
    const target = await ticketingFor(storage, ticketingRegistry, pull);
    if (!target) {
      logger.warn('merged pull request: no ticketing for its mapping', { pullRequest: pull.id, teamKey: pull.teamKey });
      return ok(outcome);
    }
    const issue = await target.ticketing.getIssue(pull.issueId, target.mapping);
    if (issue.isOk() && issue.value.stage !== 'pr_opened') {
      const moved = await target.ticketing.moveToStage(issue.value, 'pr_opened', target.mapping);
      if (moved.isErr()) logger.warn('could not move the merged issue', { issue: pull.identifier, error: moved.error.message });
    }
    await comment(target.ticketing, pull, mergedComment(number, url, sha));
    logger.info('pull request merged', { pullRequest: pull.id, issue: pull.identifier });
    return ok(outcome);
  }

  async function changesRequested(payload: Obj, review: Obj): Promise<Result<GithubWebhookOutcome, GithubWebhookError>> {
    const pr = isObj(payload.pull_request) ? payload.pull_request : {};
    const number = posInt(pr.number);
    const repository = repositoryOf(payload);
    if (number === undefined || !repository) return ok({ ignored: 'review without a pull request or repository' });
    const pull = await pulls.find(repository.owner, repository.repo, number);
    if (!pull) return ok({ ignored: 'pull request not tracked' });
    if (pull.merged) return ok({ ignored: 'pull request already merged' });
    const target = await ticketingFor(storage, ticketingRegistry, pull);
    if (!target) return ok({ ignored: `no mapping or ticketing for team ${pull.teamKey}` });
    const { mapping, ticketing } = target;

    const association = str(review.author_association) ?? 'NONE';
    if (!REVIEW_DISPATCH_ASSOCIATIONS.includes(association)) {
      const reviewer = isObj(review.user) ? str(review.user.login) : undefined;
      logger.warn('review asking for changes ignored: the reviewer has no write permission', {
        pullRequest: pull.id,
        reviewer,
        authorAssociation: association,
      });
      return ok({ ignored: `review by a user without write permission (author_association ${association})` });
    }

    const reviewId = posInt(review.id);
    const claim = reviewId === undefined ? undefined : `github-review:${pull.id}:${reviewId}`;
    if (claim && !(await storage.claims.claimOnce(claim))) return ok({ ignored: 'review already handled' });
    const release = async () => {
      if (claim) await storage.claims.release(claim);
    };

    const base = { pullRequest: pull.id, identifier: pull.identifier };
    const issue = await ticketing.getIssue(pull.issueId, mapping);
    if (issue.isErr()) {
      await release();
      return err({ kind: 'upstream', message: issue.error.message });
    }
    const dispatched = await dispatcher.dispatch({
      kind: 'review',
      issue: issue.value,
      mapping,
      pullRequest: { number, url: pull.url },
      pullIteration: pull.iteration,
    });
    if (dispatched.isErr()) {
      const failure = dispatched.error;
      if (failure.kind === 'refused' && failure.reason === 'iteration-limit') {
        await comment(ticketing, pull, iterationLimitComment(number, failure.maxIterations));
        return ok({ handled: 'iteration-limit', ...base, maxIterations: failure.maxIterations });
      }
      if (failure.kind === 'refused') {
        await release();
        return ok({ ignored: 'a run on this issue is still in flight' });
      }
      if (failure.kind === 'claimed') return ok({ ignored: failure.message });
      await release();
      return err({ kind: 'upstream', message: failure.message });
    }
    const iteration = dispatched.value.dispatchNumber;
    const { maxIterations } = resolveRunCaps(mapping);
    await pulls.noteDispatch(pull, dispatched.value);
    const reviewer = isObj(review.user) ? str(review.user.login) : undefined;
    await comment(ticketing, pull, redispatchComment(number, reviewer, iteration, maxIterations));
    logger.info('changes requested: implementation re-dispatched', { pullRequest: pull.id, issue: pull.identifier, iteration });
    return ok({ handled: 'redispatched', ...base, jobId: dispatched.value.id, iteration, maxIterations });
  }

  const verify: GithubWebhookService['verify'] = async (rawBody, { event: named, signature }) => {
    const secret = config.githubWebhookSecret;
    if (!secret) return err({ kind: 'unavailable', message: WEBHOOK_DISABLED_MESSAGE });
    const text = new TextDecoder().decode(rawBody);
    // A body that is not a JSON object is refused as such, signed or not (it tells a caller
    // nothing); anything that is one must verify before it is acted on.
    let payload: unknown;
    try {
      payload = JSON.parse(text);
    } catch {
      return err({ kind: 'invalidPayload' });
    }
    if (!isObj(payload)) return err({ kind: 'invalidPayload' });
    if (!signature || (await deps.githubWebhookVerifier.verify(secret, rawBody, signature)).isErr()) {
      return err({ kind: 'badSignature', message: INVALID_SIGNATURE });
    }
    // GitHub always names the event; a signed delivery without the header is judged by its payload.
    const event = named || (isObj(payload.review) ? 'pull_request_review' : isObj(payload.pull_request) ? 'pull_request' : null);
    return ok({ payload, event });
  };

  const act: GithubWebhookService['act'] = async ({ payload, event }) => {
    if (
      event === 'pull_request' &&
      payload.action === 'closed' &&
      isObj(payload.pull_request) &&
      payload.pull_request.merged === true
    ) {
      return merged(payload);
    }
    if ((event === 'issues' || event === 'issue_comment') && deps.githubIssuesWebhook) {
      return ok(await deps.githubIssuesWebhook.receive(event, payload));
    }
    if (event === 'pull_request_review' && payload.action === 'submitted' && isObj(payload.review)) {
      const state = str(payload.review.state)?.toLowerCase();
      if (state === 'changes_requested') return changesRequested(payload, payload.review);
      return ok({ ignored: `review state ${state ?? 'missing'}` });
    }
    return ok({ ignored: `event ${event ?? 'missing'}${typeof payload.action === 'string' ? `.${payload.action}` : ''}` });
  };

  return {
    verify,
    act,
    async receive(rawBody, delivery) {
      const verified = await verify(rawBody, delivery);
      return verified.isErr() ? err(verified.error) : act(verified.value);
    },
  };
}
