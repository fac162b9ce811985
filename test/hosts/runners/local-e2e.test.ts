import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { asFunction } from 'awilix';
import { toNodeHandler } from 'h3/node';
import { afterEach, describe, expect, it } from 'vitest';
import { createLocalRunner, reportExits } from '../../../adapters/runners/local/local.runner.js';
import type { RunWatcherService } from '../../../core/app/runs/run-watcher.service.js';
import { type RunnersHarness, startRunnersHarness } from './runners-harness.js';

const FAKE_SESSION = fileURLToPath(new URL('./fixtures/fake-session.mjs', import.meta.url));

let h: RunnersHarness | undefined;
let server: Server | undefined;
afterEach(async () => {
  await h?.close();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  h = undefined;
  server = undefined;
});

/**
 * A real listener on 127.0.0.1 in front of the orchestrator, so a session started by the local
 * runner calls back over HTTP at PUBLIC_URL, as it would in production.
 */
async function listening(): Promise<{ url: string; serve(handler: (req: IncomingMessage, res: ServerResponse) => void): void }> {
  let handler: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  server = createServer((req, res) => {
    if (handler) handler(req, res);
    else res.writeHead(503).end();
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    serve: (next) => {
      handler = next;
    },
  };
}

describe('local runner mode, end to end', () => {
  it('dispatches an eligible issue to a local session that calls back; the job completes with its PR and the ticket moves on', async () => {
    const listener = await listening();
    let watcher: RunWatcherService | undefined;
    h = await startRunnersHarness({
      fly: false,
      env: { RUNNER_MODE: 'local', PUBLIC_URL: listener.url },
      overrides: {
        localRunner: asFunction(() =>
          createLocalRunner({
            command: [process.execPath, FAKE_SESSION],
            onExit: reportExits((jobId, seen) => watcher?.report(jobId, seen)),
          }),
        )
          .singleton()
          .disposer((runner) => runner.close()),
      },
    });
    watcher = h.orchestrator.cradle.runWatcher;
    listener.serve(toNodeHandler(h.orchestrator.app));
    await h.createMapping({ extraEnv: { FAKE_SESSION_MODE: 'callback' } });
    const issue = await h.createIssue();

    const [job] = await h.dispatch();
    expect(job).toMatchObject({ runner: 'local', phase: 'implementation', status: 'dispatched' });

    let current = await h.job(job?.id as string);
    for (let i = 0; i < 250 && current.status !== 'completed' && current.status !== 'failed'; i++) {
      await new Promise((r) => setTimeout(r, 20));
      current = await h.job(job?.id as string);
    }
    const output = h.orchestrator.cradle.localRunner.outputTail(job?.id as string);
    expect(current, output).toMatchObject({
      status: 'completed',
      prUrl: 'https://github.example/acme/widgets/pull/42',
      prNumber: 42,
    });

    const ticket = await h.issue(issue.id);
    expect(ticket.labels).toEqual(['AI-Implement', 'Ready for Review']);
    const comments = ticket.comments.map((c) => c.body).join('\n');
    expect(comments).toContain('Implemented the widget.');
    expect(comments).toContain('https://github.example/acme/widgets/pull/42');

    const steps = await h.api('GET', `/api/jobs/${job?.id}/steps`);
    expect(steps.status).toBe(200);
    expect(JSON.stringify(steps.body)).toContain('"implement"');

    // The session exits 0 after its result: it leaves the listing, and nothing more happens to the job.
    const runner = h.orchestrator.cradle.localRunner;
    for (let i = 0; i < 150 && (await runner.listSessions())._unsafeUnwrap().length > 0; i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect((await runner.listSessions())._unsafeUnwrap()).toEqual([]);
    expect(await h.job(job?.id as string)).toMatchObject({ status: 'completed' });
  });
});
