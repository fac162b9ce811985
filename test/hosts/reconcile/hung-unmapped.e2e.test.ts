import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ACCESS_CODE, type Harness, startHarness } from '../harness.js';

/**
 * A tracker that accepts the connection and never answers, configured but with no mapping of
 * its own: its listing of unmapped issues (for the Blockers view) is under the cycle's fetch
 * deadline like every candidate fetch, so the local team's work is dispatched at once.
 */
let h: Harness | undefined;
let hung: { url: string; connections: Socket[]; server: Server } | undefined;
afterEach(async () => {
  await h?.close();
  for (const socket of hung?.connections ?? []) socket.destroy();
  await new Promise((resolve) => hung?.server.close(resolve) ?? resolve(undefined));
  h = undefined;
  hung = undefined;
});

/** Reads every request and never answers. */
async function startHungService() {
  const connections: Socket[] = [];
  const server = createServer((socket) => {
    connections.push(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, connections, server };
}

describe('a hung tracker without a mapping', () => {
  it('a Jira that never answers delays no local dispatch past the fetch deadline, and is not asked again while it hangs', async () => {
    hung = await startHungService();
    h = await startHarness('memory', {
      ADMIN_ACCESS_CODE: ACCESS_CODE,
      RUNNER_MODE: 'shadow',
      JIRA_HOST: hung.url,
      JIRA_EMAIL: 'bot@acme.test',
      JIRA_API_TOKEN: 'jira-token',
      POLL_INTERVAL_MS: '1000',
    });
    const token = await h.login();
    const body = { teamKey: 'LOC', ticketing: 'local', owner: 'acme', repo: 'app', defaultBranch: 'main' };
    expect((await h.call('POST', '/api/mappings', { token, body })).status).toBe(200);
    const local = await h.orchestrator.cradle.trackerStore.create({
      teamKey: 'LOC',
      title: 'local work',
      labels: ['AI-Implement'],
    });
    if ('missing' in local) throw new Error('unexpected');

    const started = performance.now();
    const first = await h.orchestrator.cradle.reconcile.request();
    // The deadline is half the 1 s poll; Jira's own request timeout is 15 s.
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(first.dispatched).toEqual([expect.objectContaining({ identifier: local.identifier, phase: 'planning' })]);
    expect(hung.connections.length).toBeGreaterThan(0);

    const sent = hung.connections.length;
    const again = performance.now();
    await h.orchestrator.cradle.reconcile.request();
    expect(performance.now() - again).toBeLessThan(1_000);
    // The hung listing is waited on again, not sent a second time.
    expect(hung.connections).toHaveLength(sent);
  });
});
