/**
 * `ai-implement/testing` — the conformance kit for adapter authors: the port contract suites
 * this package runs against its own adapters, and the wire-level fakes its tests talk to
 * (Linear on its published GraphQL schema, Jira, GitHub, Fly Machines). A team bringing its
 * own storage, tracker, forge or runner runs the same suite in its own vitest project:
 *
 * ```ts
 * import { storageContract } from 'ai-implement/testing';
 * import { createMyStorage } from '../src/my-storage.js';
 * storageContract('my storage', async (now) => ({ storage: await createMyStorage({ now }) }));
 * ```
 *
 * The suites call vitest's `describe`/`it`/`expect` (vitest is a peer dependency of this entry
 * only); the Linear fake needs `graphql`, loaded when it is started.
 */

export { type ForgeSubject, forgeContract } from './contracts/forge.contract.js';
export { type RunnerSubject, runnerContract, sampleLaunch } from './contracts/runner.contract.js';
export { type SecretsSubject, secretsContract } from './contracts/secrets.contract.js';
export {
  type ContractStorage,
  type StorageFeatures,
  type StorageSubject,
  storageContract,
} from './contracts/storage.contract.js';
export {
  type SeedIssue,
  type TicketingCapabilities,
  type TicketingSubject,
  ticketingContract,
} from './contracts/ticketing.contract.js';
export { usageStoreContract } from './contracts/usage-store.contract.js';
export { type WebhookVerifierSubject, webhookVerifierContract } from './contracts/webhook-verifier.contract.js';
export { FAKE_FLY_APP, type FakeFly, type FakeFlyOptions, startFakeFly } from './fakes/fly/fake-fly.server.js';
export { type FakeGithub, type FakeGithubOptions, startFakeGithub } from './fakes/github/fake-github.js';
export { type FakeJira, type FakeJiraOptions, startFakeJira } from './fakes/jira/jira-fake.js';
export type { FakeLinear, FakeLinearOptions } from './fakes/linear/fake-linear.server.js';

import type { FakeLinear, FakeLinearOptions } from './fakes/linear/fake-linear.server.js';

/** Starts the Linear fake (graphql is imported here, so the other suites run without it). */
export async function startFakeLinear(options: FakeLinearOptions = {}): Promise<FakeLinear> {
  return (await import('./fakes/linear/fake-linear.server.js')).startFakeLinear(options);
}
export {
  type NotificationQueueSubject,
  notificationQueueContract,
} from './contracts/notification-queue.contract.js';
export {
  type ReceivedWebhook,
  type SignedWebhookReceiver,
  startSignedWebhookReceiver,
} from './fakes/notify-webhook/signed-webhook-receiver.js';
export { FAKE_SLACK_HOOK_PATH, type FakeSlack, type FakeSlackMode, startFakeSlack } from './fakes/slack/fake-slack.js';
