import { randomUUID } from 'node:crypto';
import { sign } from '@octokit/webhooks-methods';
import { expect } from 'vitest';
import type { LocalIssue } from '../../../adapters/ticketing/local/local-issue.js';
import type { PullRow } from '../../../core/app/pulls/pulls.service.js';
import type { Job } from '../../../core/domain/model.js';
import type { OrchestratorOverrides } from '../../../hosts/container.js';
import { type FakeGithub, startFakeGithub } from '../../../testing/fakes/github/fake-github.js';
import { heldShadowRunner } from '../capturing-runner.js';
import { ACCESS_CODE, type Harness, type StorageKind, startHarness } from '../harness.js';
import type { PullFixture } from './payloads.js';

export const WEBHOOK_SECRET = 'github-webhook-secret-for-tests';
export const GAP_FILL_SECRET = 'gap-fill-trigger-secret-for-tests';
export const GITHUB_TOKEN = 'ghp_testtokenforthefakegithub000000000000';
export const OWNER = 'acme';
export const REPO = 'widgets';
export const TEAM = 'ENG';

export interface GithubHarness {
  h: Harness;
  github: FakeGithub;
  token: string;
  close(): Promise<void>;
}

/**
 * A real orchestrator (shadow mode, embedded tracker) next to the wire-level fake GitHub,
 * with a GitHub token, both secrets and one mapping `ENG` → acme/widgets on the local tracker.
 * Its shadow runner holds jobs in flight (capturing-runner.ts) so that a test can play the run's
 * outcome, unless `overrides` bring another registry.
 */
export async function startGithubHarness(
  options: {
    kind?: StorageKind;
    env?: Record<string, string>;
    mapping?: Record<string, unknown>;
    overrides?: OrchestratorOverrides;
  } = {},
): Promise<GithubHarness> {
  const github = await startFakeGithub();
  github.addToken(GITHUB_TOKEN);
  github.addRepo({ owner: OWNER, repo: REPO, files: { 'README.md': '# widgets\n' } });
  const h = await startHarness(
    options.kind ?? 'memory',
    {
      ADMIN_ACCESS_CODE: ACCESS_CODE,
      RUNNER_MODE: 'shadow',
      GITHUB_TOKEN,
      GITHUB_API_URL: github.url,
      GITHUB_WEBHOOK_SECRET: WEBHOOK_SECRET,
      GAP_FILL_TRIGGER_SECRET: GAP_FILL_SECRET,
      PUBLIC_URL: 'https://orchestrator.example.com',
      ...options.env,
    },
    { ...heldShadowRunner(), ...options.overrides },
  );
  const token = await h.login();
  const res = await h.call('POST', '/api/mappings', {
    token,
    body: {
      teamKey: TEAM,
      ticketing: 'local',
      owner: OWNER,
      repo: REPO,
      defaultBranch: 'main',
      planningEnabled: false,
      maxIterations: 2,
      ...options.mapping,
    },
  });
  expect(res.status).toBe(200);
  return {
    h,
    github,
    token,
    async close() {
      await h.close();
      await github.close();
    },
  };
}

/** Posts a webhook delivery signed with `secret` (or with the signature given as is). */
export async function deliver(
  h: Harness,
  event: string,
  payload: unknown,
  options: { secret?: string; signature?: string | null; raw?: string; deliveryId?: string } = {},
): Promise<Response> {
  const raw = options.raw ?? JSON.stringify(payload);
  const signature = options.signature === undefined ? await sign(options.secret ?? WEBHOOK_SECRET, raw) : options.signature;
  const headers: Record<string, string> = {
    'x-github-event': event,
    // Every delivery has its own id, as GitHub sends; a redelivery repeats one (`deliveryId`).
    'x-github-delivery': options.deliveryId ?? randomUUID(),
    'user-agent': 'GitHub-Hookshot/044aadd',
  };
  if (signature !== null) headers['x-hub-signature-256'] = signature;
  return h.call('POST', '/api/github/webhook', { raw, headers });
}

export interface OpenedPull {
  issue: LocalIssue;
  job: Job;
  pull: PullFixture;
  url: string;
}

/**
 * The path of a real run up to an open pull request: an `AI-Implement` issue on the embedded
 * tracker, a reconcile that dispatches its implementation on the shadow runner, a pull request
 * opened on the fake GitHub for the run's branch, and the run's result recorded.
 */
export async function openPullThroughARun(g: GithubHarness, title = 'Add a widget'): Promise<OpenedPull> {
  const { cradle } = g.h.orchestrator;
  const created = await cradle.tracker.create({ teamKey: TEAM, title, labels: ['AI-Implement'] });
  const issue = created._unsafeUnwrap();
  await cradle.reconcile.request();
  const job = (await cradle.storage.jobs.list()).find((j) => j.issueId === issue.id);
  if (!job) throw new Error('the reconcile dispatched nothing');
  expect(job).toMatchObject({ phase: 'implementation', runner: 'shadow', dispatchNumber: 1 });

  const branch = `ai-implement/${issue.identifier}`;
  g.github.addBranch(OWNER, REPO, branch, { [`src/${issue.identifier}.ts`]: 'export const widget = 1;\n' });
  const forge = cradle.forgeRegistry.get('github');
  if (!forge) throw new Error('no github forge');
  const pr = (
    await forge.openPullRequest(
      { owner: OWNER, repo: REPO },
      { branch, base: 'main', title: `${issue.identifier}: ${title}`, body: '' },
    )
  )._unsafeUnwrap();

  g.h.clock.advance(60_000);
  await cradle.jobOutcome.record(job.id, { type: 'succeeded', prUrl: pr.url, prNumber: pr.number, at: g.h.clock.now() });
  await cradle.pulls.settled();
  const htmlUrl = pr.url.replace(/\/[^/]+\/[^/]+\/pull\/\d+$/, '');
  return {
    issue,
    job: (await cradle.storage.jobs.get(job.id))!,
    pull: { owner: OWNER, repo: REPO, number: pr.number, branch, htmlUrl, title: pr.title },
    url: pr.url,
  };
}

/** `GET /api/pulls` as the admin sees it. */
export async function listPulls(g: GithubHarness): Promise<PullRow[]> {
  const res = await g.h.call('GET', '/api/pulls', { token: g.token });
  expect(res.status).toBe(200);
  return ((await res.json()) as { pulls: PullRow[] }).pulls;
}

export async function issueNow(g: GithubHarness, id: string): Promise<LocalIssue> {
  const issue = await g.h.orchestrator.cradle.trackerStore.find(id);
  if (!issue) throw new Error(`no issue ${id}`);
  return issue;
}
