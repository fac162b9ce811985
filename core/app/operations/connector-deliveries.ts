import type { Result } from 'neverthrow';
import type { ConnectorOutcome, SignatureVerdict } from '../../domain/connector-events.js';
import type { GapFillAccepted, GapFillError } from '../dispatch/gap-fill.service.js';
import type { LinearWebhookError } from '../issues/linear-webhook.service.js';
import type { GithubWebhookError, GithubWebhookOutcome } from '../pulls/github-webhook.service.js';

/** What a delivery's result says for its record: the outcome, why, and what it caused. */
export interface DeliveryVerdict {
  outcome: ConnectorOutcome;
  reason?: string;
  signature: SignatureVerdict;
  caused: { jobIds: string[]; teams: string[] };
}

const nothing = () => ({ jobIds: [] as string[], teams: [] as string[] });

/** A GitHub delivery's record from what the webhook service answered. */
export function githubVerdict(result: Result<GithubWebhookOutcome, GithubWebhookError>, signed: boolean): DeliveryVerdict {
  if (result.isErr()) {
    const e = result.error;
    if (e.kind === 'unavailable')
      return { outcome: 'rejected', reason: e.message, signature: 'not_configured', caused: nothing() };
    if (e.kind === 'badSignature')
      return { outcome: 'rejected', reason: e.message, signature: signed ? 'invalid' : 'missing', caused: nothing() };
    if (e.kind === 'invalidPayload') {
      return {
        outcome: 'rejected',
        reason: 'body is not a JSON object',
        signature: signed ? 'invalid' : 'missing',
        caused: nothing(),
      };
    }
    return { outcome: 'rejected', reason: e.message, signature: 'verified', caused: nothing() };
  }
  const o = result.value;
  if ('ignored' in o) return { outcome: 'ignored', reason: o.ignored, signature: 'verified', caused: nothing() };
  if (o.handled === 'redispatched') return { outcome: 'acted', signature: 'verified', caused: { jobIds: [o.jobId], teams: [] } };
  if (o.handled === 'issues' || o.handled === 'issue_comment') {
    return {
      outcome: o.reconciling.length > 0 ? 'acted' : 'ignored',
      signature: 'verified',
      caused: { jobIds: [], teams: o.reconciling },
    };
  }
  if (o.handled === 'merged' && o.duplicate)
    return { outcome: 'ignored', reason: 'already merged', signature: 'verified', caused: nothing() };
  return { outcome: 'acted', reason: o.handled, signature: 'verified', caused: nothing() };
}

/** A verified Linear delivery's record from what was reconciled. */
export function linearVerdict(reconciling: string[] | 'all' | 'none'): DeliveryVerdict {
  if (reconciling === 'none')
    return { outcome: 'ignored', reason: 'nothing to reconcile', signature: 'verified', caused: nothing() };
  return {
    outcome: 'acted',
    signature: 'verified',
    caused: { jobIds: [], teams: reconciling === 'all' ? ['all'] : reconciling },
  };
}

/** A Linear delivery refused before it was acted on: not configured, unsigned, or not verifying. */
export function linearRejection(error: LinearWebhookError, signed: boolean): DeliveryVerdict {
  const signature = error.kind === 'notConfigured' ? 'not_configured' : signed ? 'invalid' : 'missing';
  const reason = 'message' in error ? error.message : 'invalid payload';
  return { outcome: 'rejected', reason, signature, caused: nothing() };
}

/** A gap-fill trigger's record. */
export function gapFillVerdict(result: Result<GapFillAccepted, GapFillError>): DeliveryVerdict {
  if (result.isOk()) {
    return { outcome: 'acted', signature: 'verified', caused: { jobIds: [result.value.jobId], teams: [result.value.teamKey] } };
  }
  const e = result.error;
  if (e.kind === 'triggerUnauthorized')
    return { outcome: 'rejected', reason: 'unauthorized', signature: 'invalid', caused: nothing() };
  if (e.kind === 'notConfigured')
    return { outcome: 'rejected', reason: e.message, signature: 'not_configured', caused: nothing() };
  const reason = 'message' in e ? e.message : 'detail' in e ? `${e.kind}: ${e.detail}` : e.kind;
  return { outcome: 'rejected', reason, signature: 'verified', caused: nothing() };
}
