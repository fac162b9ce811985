import { expect } from 'vitest';
import type { Job } from '../../../core/domain/model.js';
import type { QueuedNotification } from '../../../ports/notification-queue.port.js';
import { ACCESS_CODE, type Harness, startHarness } from '../harness.js';

/** Polls `check` until it passes (real time: the notifiers talk to loopback servers). */
export async function eventually<T>(check: () => Promise<T> | T, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}

/** An orchestrator with notifications configured by `env`, the shadow runner, and an admin token. */
export async function startNotifying(env: Record<string, string>): Promise<{ h: Harness; token: string }> {
  const h = await startHarness('sqlite', { ADMIN_ACCESS_CODE: ACCESS_CODE, RUNNER_MODE: 'shadow', ...env });
  return { h, token: await h.login() };
}

/** A job in flight, as a dispatch leaves it; its run then reports through jobOutcome as a callback does. */
export async function runningJob(h: Harness, id: string, extra: Partial<Job> = {}): Promise<Job> {
  const at = h.clock.now();
  const job: Job = {
    id,
    issueId: `issue-${id}`,
    identifier: 'ENG-12',
    teamKey: 'ENG',
    owner: 'acme',
    repo: 'app',
    phase: 'implementation',
    status: 'running',
    dispatchNumber: 1,
    runner: 'github-actions',
    dispatchedAt: at,
    updatedAt: at,
    runUrl: 'https://github.com/acme/app/actions/runs/77',
    ...extra,
  };
  await h.orchestrator.cradle.storage.jobs.put(job);
  return job;
}

export async function listed(
  h: Harness,
  token: string,
  query = '',
): Promise<{ notifications: QueuedNotification[]; total: number }> {
  const res = await h.call('GET', `/api/notifications${query}`, { token });
  expect(res.status).toBe(200);
  return (await res.json()) as { notifications: QueuedNotification[]; total: number };
}
