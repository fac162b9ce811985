import { err, ok, type Result } from 'neverthrow';
import type { Clock } from '../../../ports/clock.port.js';
import type { Storage } from '../../../ports/storage.port.js';
import { replayRefusal } from '../../domain/connector-events.js';
import type { LinearWebhookService } from '../issues/linear-webhook.service.js';
import type { GithubWebhookService } from '../pulls/github-webhook.service.js';
import { githubVerdict, linearVerdict } from './connector-deliveries.js';
import type { ConnectorEventsService } from './connector-events.service.js';

export interface ConnectorReplayDeps {
  storage: Storage;
  clock: Clock;
  connectorEvents: ConnectorEventsService;
  linearWebhook: LinearWebhookService;
  githubWebhook: GithubWebhookService;
}

export type ReplayError = { kind: 'notFound' } | { kind: 'conflict'; message: string };

export interface ReplayOutcome {
  replayOf: string;
  outcome: string;
  reason?: string;
  caused: { jobIds: string[]; teams: string[] };
}

export interface ConnectorReplayService {
  /**
   * Re-processes a stored delivery that verified when it came and was kept whole: the payload is
   * acted on again as if it had just arrived (the signature is not checked again: the stored
   * body is the one that verified, and the admin asked), and the replay is recorded as a new
   * event naming the original. The original's delivery id is not claimed again, so a vendor's
   * redelivery of it still answers as a duplicate.
   */
  replay(id: string): Promise<Result<ReplayOutcome, ReplayError>>;
}

export function createConnectorReplayService(deps: ConnectorReplayDeps): ConnectorReplayService {
  return {
    async replay(id) {
      const stored = await deps.storage.connectorEvents.get(id);
      if (!stored) return err({ kind: 'notFound' });
      const refusal = replayRefusal(stored);
      if (refusal) return err({ kind: 'conflict', message: refusal });
      let payload: unknown;
      try {
        payload = JSON.parse(stored.body as string);
      } catch {
        return err({ kind: 'conflict', message: 'The stored body is not JSON' });
      }
      if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
        return err({ kind: 'conflict', message: 'The stored body is not a JSON object' });
      }
      const receivedAt = deps.clock.now();
      const verdict =
        stored.source === 'linear'
          ? linearVerdict((await deps.linearWebhook.act({ payload: payload as never })).reconciling)
          : githubVerdict(
              await deps.githubWebhook.act({ payload: payload as Record<string, unknown>, event: stored.event ?? null }),
              true,
            );
      deps.connectorEvents.recordInbound({
        source: stored.source,
        ...(stored.deliveryId ? { deliveryId: stored.deliveryId } : {}),
        ...(stored.event ? { event: stored.event } : {}),
        ...(stored.action ? { action: stored.action } : {}),
        receivedAt,
        signature: 'not_applicable',
        outcome: verdict.outcome,
        ...(verdict.reason ? { reason: verdict.reason } : {}),
        caused: verdict.caused,
        body: stored.body as string,
        replayOf: stored.id,
      });
      return ok({
        replayOf: stored.id,
        outcome: verdict.outcome,
        ...(verdict.reason ? { reason: verdict.reason } : {}),
        caused: verdict.caused,
      });
    },
  };
}
