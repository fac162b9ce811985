import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asFunction, asValue } from 'awilix';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createInProcessEventBus } from '../../../adapters/event-bus/in-process.adapter.js';
import { createEventsService } from '../../../core/app/views/events.service.js';
import { startServer } from '../../../hosts/cli/main.js';
import type { OrchestratorCradle } from '../../../hosts/composition/cradle.js';
import { SSE_MAX_PENDING } from '../../../hosts/http/routes/v1-state.routes.js';
import type { EventBus } from '../../../ports/event-bus.port.js';
import { ACCESS_CODE, type Harness, startHarness } from '../harness.js';
import { localMapping, SHADOW, seedIssue } from './v1-helpers.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** The real in-process bus, counting its listeners, so a test can see an SSE client leave. */
function countingBus(): { bus: EventBus; listeners: () => number } {
  const inner = createInProcessEventBus();
  let listeners = 0;
  return {
    listeners: () => listeners,
    bus: {
      publish: (event) => inner.publish(event),
      subscribe(listener) {
        listeners += 1;
        const unsubscribe = inner.subscribe(listener);
        let done = false;
        return () => {
          if (!done) listeners -= 1;
          done = true;
          unsubscribe();
        };
      },
    },
  };
}

/** Reads the stream until `until` matches what arrived so far (or fails after `ms`). */
async function readUntil(reader: ReadableStreamDefaultReader<Uint8Array>, seen: { text: string }, until: RegExp, ms = 5000) {
  const decoder = new TextDecoder();
  const deadline = Date.now() + ms;
  while (!until.test(seen.text)) {
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`timed out waiting for ${until} in ${JSON.stringify(seen.text)}`);
    const chunk = await Promise.race([
      reader.read(),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`timed out waiting for ${until}`)), left)),
    ]);
    if (chunk.done) throw new Error(`stream ended before ${until}: ${JSON.stringify(seen.text)}`);
    seen.text += decoder.decode(chunk.value, { stream: true });
  }
}

/** The `data:` JSON of the first frame with this event name. */
function frame(text: string, type: string): Record<string, unknown> {
  const block = text.split('\n\n').find((b) => b.split('\n').includes(`event: ${type}`));
  if (!block) throw new Error(`no ${type} frame`);
  const data = block
    .split('\n')
    .filter((line) => line.startsWith('data: '))
    .map((line) => line.slice('data: '.length))
    .join('\n');
  return JSON.parse(data) as Record<string, unknown>;
}

describe('GET /api/v1/events (SSE)', () => {
  it('streams a job.created event for a dispatch, and unsubscribes when the client goes', async () => {
    const { bus, listeners } = countingBus();
    h = await startHarness('memory', SHADOW, { eventBus: asValue(bus) });
    const token = await h.login();
    await localMapping(h, token);
    const issue = await seedIssue(h, { title: 'stream me', labels: ['AI-Implement'] });
    const before = listeners();

    const res = await h.call('GET', '/api/v1/events', { token });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(h.orchestrator.cradle.eventStream.clients()).toBe(1);
    expect(listeners()).toBe(before + 1);
    const reader = res.body!.getReader();
    const seen = { text: '' };
    await readUntil(reader, seen, /: connected/);

    const report = await h.orchestrator.cradle.reconcile.request();
    await readUntil(reader, seen, /event: reconcile\.finished\n/);
    expect(frame(seen.text, 'job.created')).toMatchObject({
      type: 'job.created',
      jobId: report.dispatched[0]!.jobId,
      issueId: issue.id,
      identifier: issue.identifier,
      teamKey: 'LOC',
      data: { phase: 'planning', runner: 'shadow' },
    });
    // Events arrive in the order they were published.
    expect(seen.text.indexOf('event: job.created')).toBeLessThan(seen.text.indexOf('event: reconcile.finished'));

    await reader.cancel();
    await vi.waitFor(() => expect(listeners()).toBe(before));
    expect(h.orchestrator.cradle.eventStream.clients()).toBe(0);
  });

  it('redacts configured secrets from what it sends', async () => {
    h = await startHarness('memory', { ...SHADOW, GITHUB_TOKEN: 'ghp_a_secret_that_must_not_stream' });
    const token = await h.login();
    const res = await h.call('GET', '/api/v1/events', { token });
    const reader = res.body!.getReader();
    const seen = { text: '' };
    await readUntil(reader, seen, /: connected/);
    // Any event that carries free text; issue control's carry a message and data.
    h.orchestrator.cradle.eventBus.publish({
      type: 'issue.steered',
      at: 1,
      issueId: 'i1',
      identifier: 'ENG-1',
      teamKey: 'ENG',
      message: `token ghp_a_secret_that_must_not_stream and code ${ACCESS_CODE}`,
      data: { nested: 'ghp_a_secret_that_must_not_stream' },
    });
    await readUntil(reader, seen, /event: issue\.steered\n/);
    await readUntil(reader, seen, /\n\n$/);
    expect(seen.text).not.toContain('ghp_a_secret_that_must_not_stream');
    expect(seen.text).not.toContain(ACCESS_CODE);
    expect(frame(seen.text, 'issue.steered')).toMatchObject({ message: 'token [REDACTED] and code [REDACTED]' });
    await reader.cancel();
  });

  it('sends a heartbeat comment on its interval (15 s in production)', async () => {
    h = await startHarness('memory', SHADOW, {
      eventStream: asFunction(({ eventBus, config }: Pick<OrchestratorCradle, 'eventBus' | 'config'>) =>
        createEventsService({ eventBus, config, heartbeatMs: 20 }),
      ).singleton(),
    });
    const token = await h.login();
    const res = await h.call('GET', '/api/v1/events', { token });
    const reader = res.body!.getReader();
    const seen = { text: '' };
    await readUntil(reader, seen, /(: heartbeat\n\n[\s\S]*){2}/);
    await reader.cancel();
    await vi.waitFor(() => expect(h!.orchestrator.cradle.eventStream.clients()).toBe(0));
  });

  it('ends the stream of a session signed out after it opened: no event reaches a revoked token', async () => {
    h = await startHarness('memory', SHADOW, {
      eventStream: asFunction(({ eventBus, config }: Pick<OrchestratorCradle, 'eventBus' | 'config'>) =>
        createEventsService({ eventBus, config, heartbeatMs: 50 }),
      ).singleton(),
    });
    const token = await h.login();
    const res = await h.call('GET', '/api/v1/events', { token });
    const reader = res.body!.getReader();
    const seen = { text: '' };
    await readUntil(reader, seen, /: connected/);
    expect((await h.call('DELETE', '/api/auth', { token })).status).toBe(200);
    await vi.waitFor(() => expect(h!.orchestrator.cradle.eventStream.clients()).toBe(0), { timeout: 2_000 });
    h.orchestrator.cradle.eventBus.publish({ type: 'mapping.updated', at: 1, teamKey: 'AFTER' });
    const decoder = new TextDecoder();
    for (;;) {
      const chunk = await reader.read();
      if (chunk.done) break;
      seen.text += decoder.decode(chunk.value, { stream: true });
    }
    expect(seen.text).not.toContain('AFTER');
  });

  it('over a real socket: a client that disconnects is unsubscribed', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ai-implement-sse-'));
    const quiet = { out: () => {}, err: () => {} };
    const server = await startServer(
      { ...SHADOW, PORT: '0', DATA_DIR: dataDir, STORAGE_URL: 'memory:', POLL_INTERVAL_MS: '86400000' },
      quiet,
    );
    try {
      if (!server) throw new Error('server did not start');
      const login = await fetch(`${server.url}/api/auth`, { method: 'POST', body: JSON.stringify({ code: ACCESS_CODE }) });
      const { token } = (await login.json()) as { token: string };
      const abort = new AbortController();
      const res = await fetch(`${server.url}/api/v1/events`, {
        headers: { authorization: `Bearer ${token}` },
        signal: abort.signal,
      });
      const reader = res.body!.getReader();
      await readUntil(reader, { text: '' }, /: connected/);
      expect(server.orchestrator.cradle.eventStream.clients()).toBe(1);
      abort.abort();
      await vi.waitFor(() => expect(server.orchestrator.cradle.eventStream.clients()).toBe(0));
    } finally {
      await server?.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('over a real socket: a shutdown ends the open streams at once instead of waiting out its 10 s drain', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ai-implement-sse-'));
    const errors: string[] = [];
    const server = await startServer(
      { ...SHADOW, PORT: '0', DATA_DIR: dataDir, STORAGE_URL: 'memory:', POLL_INTERVAL_MS: '86400000' },
      { out: () => {}, err: (line) => errors.push(line) },
    );
    try {
      if (!server) throw new Error('server did not start');
      const login = await fetch(`${server.url}/api/auth`, { method: 'POST', body: JSON.stringify({ code: ACCESS_CODE }) });
      const { token } = (await login.json()) as { token: string };
      // An admin tab's stream, open while the operator restarts the server.
      const res = await fetch(`${server.url}/api/v1/events`, { headers: { authorization: `Bearer ${token}` } });
      const reader = res.body!.getReader();
      await readUntil(reader, { text: '' }, /: connected/);
      const began = Date.now();
      await server.close();
      expect(Date.now() - began).toBeLessThan(3_000);
      expect(errors.join('\n')).not.toMatch(/still in flight/);
      expect(server.orchestrator.cradle.eventStream.clients()).toBe(0);
      // The client sees its stream end (and reconnects, as the admin page does).
      await expect(
        (async () => {
          for (;;) if ((await reader.read()).done) return 'ended';
        })(),
      ).resolves.toBe('ended');
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('drops a client that stops reading instead of buffering the bus without end', async () => {
    h = await startHarness('memory', SHADOW);
    const token = await h.login();
    const res = await h.call('GET', '/api/v1/events', { token });
    expect(res.status).toBe(200);
    expect(h.orchestrator.cradle.eventStream.clients()).toBe(1);
    // Nobody reads res.body.
    for (let i = 0; i < SSE_MAX_PENDING - 10; i++)
      h.orchestrator.cradle.eventBus.publish({ type: 'job.pruned', at: i, jobId: `j${i}`, issueId: 'i1' });
    expect(h.orchestrator.cradle.eventStream.clients()).toBe(1);
    for (let i = 0; i < 20; i++)
      h.orchestrator.cradle.eventBus.publish({ type: 'job.pruned', at: i, jobId: `j${i}`, issueId: 'i1' });
    expect(h.orchestrator.cradle.eventStream.clients()).toBe(0);
    await res.body?.cancel();
  });

  it('uses a 15-second heartbeat by default', () => {
    const events = createEventsService({ eventBus: createInProcessEventBus(), config: {} as never });
    expect(events.heartbeatMs).toBe(15_000);
  });
});
