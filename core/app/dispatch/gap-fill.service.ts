import { err, ok, type Result } from 'neverthrow';
import type { Logger } from '../../../ports/logger.port.js';
import type { Signing } from '../../../ports/signer.port.js';
import type { Storage } from '../../../ports/storage.port.js';
import type { Mapping } from '../../domain/model.js';
import { describeMissingTicketing, type TicketingRegistry } from '../issues/ticketing-registry.js';
import type { PullsService } from '../pulls/pulls.service.js';
import type { DispatchService } from './dispatch.service.js';

export interface GapFillDeps {
  config: { gapFillTriggerSecret?: string; githubApiUrl: string };
  storage: Storage;
  logger: Logger;
  pulls: PullsService;
  dispatcher: DispatchService;
  ticketingRegistry: TicketingRegistry;
  /** Compares the bearer with the trigger secret in constant time. */
  signing: Pick<Signing, 'equal'>;
}

export const GAP_FILL_NOT_CONFIGURED = 'Gap fill trigger not configured';
export const GAP_FILL_BAD_BODY = 'issueKey and positive integer prNumber required';

/** The errors of `POST /trigger/gap-fill`, in the spec's table (slug codes, as for /runner/*). */
export type GapFillError =
  | { kind: 'notConfigured'; message: string }
  | { kind: 'triggerUnauthorized' }
  | { kind: 'invalid'; message: string }
  | { kind: 'mappingNotFound' }
  | { kind: 'projectPaused'; teamKey: string }
  | { kind: 'gapFillInProgress' }
  | { kind: 'dispatchFailed'; detail: string; dispatchStatus: GapFillDispatchStatus };

/**
 * Why a gap-fill dispatch failed (`dispatchStatus` of the 502): the issue could not be read
 * from its tracker, no runner is configured for the mapping, or the runner refused the launch
 * (for GitHub Actions: the workflow dispatch failed). A run already in flight is no failure of
 * the dispatch: it answers 409 `gap_fill_in_progress`.
 */
export type GapFillDispatchStatus = 'issue_unavailable' | 'runner_missing' | 'launch_failed';

export interface GapFillAccepted {
  jobId: string;
  issueKey: string;
  prNumber: number;
  teamKey: string;
  dispatchNumber: number;
}

export interface GapFillService {
  /** The check order is the table's: configured, bearer, body, mapping, paused, in flight, dispatch. */
  trigger(authorization: string | null, body: unknown): Promise<Result<GapFillAccepted, GapFillError>>;
}

/** github.com pages for api.github.com; `https://HOST` for Enterprise Server's `https://HOST/api/v3`. */
export function githubWebUrl(apiUrl: string): string {
  const url = new URL(apiUrl);
  if (url.hostname === 'api.github.com') return 'https://github.com';
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/api\/v3\/?$/, '').replace(/\/+$/, '')}`;
}

/**
 * `POST /trigger/gap-fill` (called by comment-trigger.yml when a collaborator comments
 * `/ai-implement` on a pull request): dispatches a gap-analysis run for that pull request.
 *
 * The owning mapping is the one that tracks the pull request of that issue, else the mapping
 * whose team key is the issue key's prefix (Linear team, Jira project, local team), provided
 * its tracker has that issue (404 `mapping_not_found` otherwise). The run
 * gets the next gap-analysis dispatch number of the issue, and the pull request travels on
 * the job (`prNumber`, `prUrl`) so the runner hands it to the session.
 */
export function createGapFillService(deps: GapFillDeps): GapFillService {
  const { config, storage, logger, pulls, dispatcher, ticketingRegistry, signing } = deps;

  async function owningMapping(
    issueKey: string,
    prNumber: number,
  ): Promise<{ mapping?: Mapping; prUrl?: string; issueId?: string }> {
    const tracked = (await pulls.findForIssue(issueKey, prNumber)) ?? (await pulls.findForIssue(issueKey));
    if (tracked) {
      const mapping = await storage.mappings.get(tracked.teamKey);
      if (mapping) {
        const samePull = tracked.number === prNumber;
        return { mapping, issueId: tracked.issueId, ...(samePull ? { prUrl: tracked.url } : {}) };
      }
    }
    const prefix = issueKey.slice(0, issueKey.lastIndexOf('-')).toUpperCase();
    const mapping = (await storage.mappings.list()).find((m) => m.teamKey.toUpperCase() === prefix);
    return mapping ? { mapping } : {};
  }

  return {
    async trigger(authorization, body) {
      const secret = config.gapFillTriggerSecret;
      if (!secret) return err({ kind: 'notConfigured', message: GAP_FILL_NOT_CONFIGURED });
      const bearer = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
      if (!bearer || !signing.equal(bearer, secret)) return err({ kind: 'triggerUnauthorized' });

      const input = (typeof body === 'object' && body !== null ? body : {}) as { issueKey?: unknown; prNumber?: unknown };
      const issueKey = typeof input.issueKey === 'string' ? input.issueKey.trim() : '';
      const prNumber = input.prNumber;
      if (
        issueKey === '' ||
        issueKey.length > 200 ||
        typeof prNumber !== 'number' ||
        !Number.isSafeInteger(prNumber) ||
        prNumber <= 0
      ) {
        return err({ kind: 'invalid', message: GAP_FILL_BAD_BODY });
      }

      const owner = await owningMapping(issueKey, prNumber);
      const mapping = owner.mapping;
      if (!mapping) return err({ kind: 'mappingNotFound' });
      if (mapping.paused) return err({ kind: 'projectPaused', teamKey: mapping.teamKey });

      const ticketing = ticketingRegistry.get(mapping.ticketing);
      if (!ticketing)
        return err({
          kind: 'dispatchFailed',
          detail: describeMissingTicketing(mapping.ticketing),
          dispatchStatus: 'issue_unavailable',
        });
      const issue = await ticketing.getIssue(owner.issueId ?? issueKey, mapping);
      if (issue.isErr()) {
        // The mapping's tracker has no such issue: no mapping owns it.
        if (issue.error.kind === 'notFound') return err({ kind: 'mappingNotFound' });
        return err({ kind: 'dispatchFailed', detail: issue.error.message, dispatchStatus: 'issue_unavailable' });
      }

      const prUrl = owner.prUrl ?? `${githubWebUrl(config.githubApiUrl)}/${mapping.owner}/${mapping.repo}/pull/${prNumber}`;
      const dispatched = await dispatcher.dispatch({
        kind: 'gap-fill',
        issue: issue.value,
        mapping,
        pullRequest: { number: prNumber, url: prUrl },
      });
      if (dispatched.isErr()) {
        const { kind, message } = dispatched.error;
        // One gap-fill run in flight per issue (so per pull request), across replicas: the
        // store's dispatch claim and in-flight check refuse every other one (dispatch-decision.ts).
        if (kind === 'claimed' || kind === 'refused') {
          logger.info('gap-fill already in flight', { issue: issueKey, prNumber });
          return err({ kind: 'gapFillInProgress' });
        }
        const dispatchStatus: GapFillDispatchStatus = kind === 'runnerMissing' ? 'runner_missing' : 'launch_failed';
        logger.warn('gap-fill dispatch failed', { issue: issueKey, prNumber, dispatchStatus, error: message });
        return err({ kind: 'dispatchFailed', detail: message, dispatchStatus });
      }
      const { dispatchNumber } = dispatched.value;
      const tracked = await pulls.find(mapping.owner, mapping.repo, prNumber);
      if (tracked) await pulls.noteDispatch(tracked, dispatched.value);
      logger.info('gap-fill dispatched', { issue: issueKey, prNumber, jobId: dispatched.value.id, dispatchNumber });
      return ok({
        jobId: dispatched.value.id,
        issueKey: issue.value.identifier,
        prNumber,
        teamKey: mapping.teamKey,
        dispatchNumber,
      });
    },
  };
}
