import type { Clock } from '../../../ports/clock.port.js';
import type { ConnectionHealth, ConnectionStatus } from '../../../ports/connection-health.port.js';
import type { Storage } from '../../../ports/storage.port.js';
import type { TicketingKind } from '../../domain/model.js';
import type { CoreSettings } from '../core-settings.js';
import { describeMissingTicketing, type TicketingRegistry } from '../issues/ticketing-registry.js';

export interface ConfigStatusDeps {
  config: Pick<
    CoreSettings,
    'runnerTokenSecret' | 'publicUrl' | 'gapFillTriggerSecret' | 'githubWebhookSecret' | 'githubToken' | 'githubAppId'
  >;
  storage: Storage;
  ticketingRegistry: TicketingRegistry;
  connectionHealth: ConnectionHealth;
  clock: Clock;
  /**
   * Whether a session on this machine can confine its agent, and what it may reach
   * (hosts/composition/agent-sandbox-status.ts): the host looks, the core only reports.
   */
  agentSandboxStatus: () => { ok: boolean; detail: string };
}

export type ConfigCheckKey = 'ticketing' | 'runnerCallback' | 'gapFillTrigger' | 'githubWebhook' | 'github' | 'agentSandbox';

export interface ConfigCheck {
  key: ConfigCheckKey;
  name: string;
  ok: boolean;
  /** What is set or missing and what that means; never a value. */
  detail: string;
}

export interface ConfigStatus {
  ok: boolean;
  checks: ConfigCheck[];
  ticketing: Record<TicketingKind, { configured: boolean; mappings: number }>;
  /**
   * Every outside connection's state as its request governor sees it (ok, limited until T,
   * backing off, circuit open since T; requests left when the service says). Not part of `ok`:
   * a rate limit is the service's weather, not a configuration problem.
   */
  connections: ConnectionStatus[];
}

export interface ConfigStatusService {
  status(): Promise<ConfigStatus>;
}

const TICKETING_KINDS: readonly TicketingKind[] = ['linear', 'jira', 'github', 'local'];

/** A URL a runner elsewhere cannot reach: loopback or the unspecified address. */
export function isLocalOnlyUrl(url: string): boolean {
  try {
    const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
    return (
      host === 'localhost' ||
      host.endsWith('.localhost') ||
      /^127\./.test(host) ||
      host === '::1' ||
      host === '0.0.0.0' ||
      host === '::'
    );
  } catch {
    return true;
  }
}

/**
 * `GET /api/admin/config-status`: the environment checks of the Overview — the ticketing
 * connections the mappings need, the runner callback, the gap-fill trigger, the GitHub webhook,
 * GitHub credentials and the agent's sandbox. Booleans and short details naming variables, never
 * their values.
 */
export function createConfigStatusService({
  config,
  storage,
  ticketingRegistry,
  connectionHealth,
  clock,
  agentSandboxStatus,
}: ConfigStatusDeps): ConfigStatusService {
  return {
    async status() {
      const mappings = await storage.mappings.list();
      const ticketing = Object.fromEntries(
        TICKETING_KINDS.map((kind) => [
          kind,
          {
            configured: ticketingRegistry.get(kind) !== undefined,
            mappings: mappings.filter((m) => m.ticketing === kind).length,
          },
        ]),
      ) as ConfigStatus['ticketing'];
      const unserved = TICKETING_KINDS.filter((kind) => ticketing[kind].mappings > 0 && !ticketing[kind].configured);
      const connected = TICKETING_KINDS.filter((kind) => ticketing[kind].configured && kind !== 'local');

      const callbackProblem = !config.runnerTokenSecret
        ? 'RUNNER_TOKEN_SECRET unset: /runner/* answer 501 and runs cannot report back'
        : isLocalOnlyUrl(config.publicUrl)
          ? 'PUBLIC_URL is unset or a loopback address: only runners on this machine (local, shadow) can call back'
          : undefined;
      const github = config.githubToken ? 'GITHUB_TOKEN' : config.githubAppId ? 'GitHub App (GITHUB_APP_ID)' : undefined;

      const checks: ConfigCheck[] = [
        {
          key: 'ticketing',
          name: 'Ticketing connection',
          ok: unserved.length === 0,
          detail:
            unserved.length > 0
              ? unserved.map((kind) => `${ticketing[kind].mappings} mapping(s) use ${describeMissingTicketing(kind)}`).join('; ')
              : `${connected.length > 0 ? `${connected.join(' and ')} connected` : 'no Linear, Jira or GitHub connection'}; the local tracker is embedded`,
        },
        {
          key: 'runnerCallback',
          name: 'Runner callback',
          ok: callbackProblem === undefined,
          detail: callbackProblem ?? 'RUNNER_TOKEN_SECRET and PUBLIC_URL set: runners can call back',
        },
        {
          key: 'gapFillTrigger',
          name: 'Gap-fill trigger',
          ok: Boolean(config.gapFillTriggerSecret),
          detail: config.gapFillTriggerSecret
            ? 'GAP_FILL_TRIGGER_SECRET set: /trigger/gap-fill accepts a matching bearer'
            : 'GAP_FILL_TRIGGER_SECRET unset: /trigger/gap-fill answers 501',
        },
        {
          key: 'githubWebhook',
          name: 'GitHub webhook',
          ok: Boolean(config.githubWebhookSecret),
          detail: config.githubWebhookSecret
            ? 'GITHUB_WEBHOOK_SECRET set: /api/github/webhook verifies X-Hub-Signature-256'
            : 'GITHUB_WEBHOOK_SECRET unset: /api/github/webhook answers 503',
        },
        {
          key: 'github',
          name: 'GitHub credentials',
          ok: github !== undefined,
          detail: github
            ? `${github} set: workflow dispatch and template sync can reach GitHub`
            : 'Neither GITHUB_TOKEN nor GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY set: GitHub Actions runs and template sync are unavailable',
        },
        { key: 'agentSandbox', name: 'Agent sandbox', ...agentSandboxStatus() },
      ];
      return { ok: checks.every((c) => c.ok), checks, ticketing, connections: connectionHealth.list(clock.now()) };
    },
  };
}
