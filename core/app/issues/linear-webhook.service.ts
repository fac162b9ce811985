import { err, ok, type Result } from 'neverthrow';
import type { Logger } from '../../../ports/logger.port.js';
import type { Storage } from '../../../ports/storage.port.js';
import type { WebhookVerifier } from '../../../ports/webhook-verifier.port.js';
import type { ReconcileService } from '../dispatch/reconcile.service.js';

export interface LinearWebhookDeps {
  storage: Storage;
  logger: Logger;
  reconcile: ReconcileService;
  config: { linearWebhookSecret?: string };
  /** Checks `linear-signature` and the timestamp's freshness (adapters/ticketing/linear). */
  linearWebhookVerifier: WebhookVerifier;
}

export type LinearWebhookError =
  | { kind: 'notConfigured'; message: string }
  | { kind: 'badSignature'; message: string }
  | { kind: 'invalidPayload' };

/** The event types that can change which issues are candidates or where they stand. */
const RECONCILING_TYPES = new Set(['Issue', 'IssueLabel', 'IssueRelation']);

/** A delivery whose signature and timestamp verified: its payload as Linear sent it. */
export interface VerifiedLinearDelivery {
  payload: { type?: unknown; data?: { team?: { key?: unknown }; teamId?: unknown } };
}

export interface LinearWebhookService {
  /**
   * Verifies `linear-signature` over the raw body and the signed `webhookTimestamp`'s
   * freshness (a minute, as @linear/sdk checks). Nothing is acted on yet, so the caller can
   * count verified and unverified deliveries apart (hosts/http/routes/linear-webhook.routes.ts).
   */
  verify(rawBody: Uint8Array, signature: string | null): Promise<Result<VerifiedLinearDelivery, LinearWebhookError>>;
  /**
   * Reconciles the team a verified delivery names, or every Linear mapping when it names none.
   * Resolves before the reconcile finishes.
   */
  act(delivery: VerifiedLinearDelivery): Promise<{ reconciling: string[] | 'all' | 'none' }>;
}

export function createLinearWebhookService({
  storage,
  logger,
  reconcile,
  config,
  linearWebhookVerifier,
}: LinearWebhookDeps): LinearWebhookService {
  return {
    async verify(rawBody, signature) {
      const secret = config.linearWebhookSecret;
      if (!secret) return err({ kind: 'notConfigured', message: 'Linear webhook not configured' });
      if (!signature) return err({ kind: 'badSignature', message: 'Missing webhook signature' });
      const verified = await linearWebhookVerifier.verify(secret, rawBody, signature);
      if (verified.isErr()) return err(verified.error);
      return ok({ payload: (verified.value ?? {}) as VerifiedLinearDelivery['payload'] });
    },

    async act({ payload }) {
      if (typeof payload.type !== 'string' || !RECONCILING_TYPES.has(payload.type)) return { reconciling: 'none' };

      const linearMappings = (await storage.mappings.list()).filter((m) => m.ticketing === 'linear');
      const key = payload.data?.team?.key;
      const named = typeof key === 'string' ? linearMappings.filter((m) => m.teamKey.toUpperCase() === key.toUpperCase()) : [];
      const teamKeys = named.length > 0 ? named.map((m) => m.teamKey) : undefined;
      if (typeof key === 'string' && named.length === 0) return { reconciling: 'none' };
      if (linearMappings.length === 0) return { reconciling: 'none' };
      void reconcile.request(teamKeys).catch((error) => logger.error('webhook reconcile failed', { error }));
      return { reconciling: teamKeys ?? 'all' };
    },
  };
}
