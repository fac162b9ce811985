import { afterEach, describe, expect, it } from 'vitest';
import { createInProcessEventBus } from '../../../adapters/event-bus/in-process.adapter.js';
import { createEventsService, SSE_REPLAY_BUFFER, type WireEvent } from '../../../core/app/views/events.service.js';
import type { OrchestratorEvent } from '../../../ports/event-bus.port.js';
import { type Harness, STORAGE_KINDS, startHarness } from '../harness.js';

const pruned = (i: number): OrchestratorEvent => ({ type: 'job.pruned', at: i, jobId: `j${i}`, issueId: 'i1' });

/** Reads until `until` matches (or fails after `ms`). */
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
    if (chunk.done) throw new Error(`stream ended before ${until}`);
    seen.text += decoder.decode(chunk.value, { stream: true });
  }
}

/** The `id:` lines of every frame, in order. */
const ids = (text: string) => [...text.matchAll(/^id: (\d+)$/gm)].map((m) => m[1]);

describe('SSE ids and Last-Event-ID resume (events service)', () => {
  it('numbers every event once, the same for every client, and replays what a resuming client missed', () => {
    const bus = createInProcessEventBus();
    const events = createEventsService({ eventBus: bus, config: {} as never });
    const a: WireEvent[] = [];
    const b: WireEvent[] = [];
    const stopA = events.subscribe((m) => a.push(m));
    const stopB = events.subscribe((m) => b.push(m));
    for (let i = 1; i <= 5; i++) bus.publish(pruned(i));
    expect(a.map((m) => m.id)).toEqual(['1', '2', '3', '4', '5']);
    expect(b.map((m) => m.id)).toEqual(a.map((m) => m.id));
    stopA();
    stopB();
    // Missed while nobody was connected: still replayed.
    bus.publish(pruned(6));
    const resumed: WireEvent[] = [];
    events.subscribe((m) => resumed.push(m), '3');
    expect(resumed.map((m) => m.id)).toEqual(['4', '5', '6']);
    bus.publish(pruned(7));
    expect(resumed.at(-1)?.id).toBe('7');
    const upToDate: WireEvent[] = [];
    events.subscribe((m) => upToDate.push(m), '7');
    expect(upToDate).toEqual([]);
    events.dispose();
  });

  it('sends one reset event when the id is too old, from another process, or not an id', () => {
    const bus = createInProcessEventBus();
    const events = createEventsService({ eventBus: bus, config: {} as never });
    for (let i = 1; i <= SSE_REPLAY_BUFFER + 20; i++) bus.publish(pruned(i));
    for (const lastEventId of ['3', '99999', 'abc', '']) {
      const got: WireEvent[] = [];
      events.subscribe((m) => got.push(m), lastEventId);
      expect(got, lastEventId).toHaveLength(1);
      expect(got[0]?.event).toBe('reset');
      expect(JSON.parse(got[0]?.data ?? '{}')).toMatchObject({ type: 'reset', lastEventId: String(SSE_REPLAY_BUFFER + 20) });
    }
    // The oldest id still kept, and the one just before it, replay without a reset.
    const oldest = 21;
    const got: WireEvent[] = [];
    events.subscribe((m) => got.push(m), String(oldest - 1));
    expect(got).toHaveLength(SSE_REPLAY_BUFFER);
    expect(got[0]?.id).toBe(String(oldest));
    events.dispose();
  });
});

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe.each(STORAGE_KINDS)('GET /api/v1/events with Last-Event-ID on %s storage', (kind) => {
  it('every frame has an id; a reconnecting client receives what it missed, then live events', async () => {
    h = await startHarness(kind);
    const token = await h.login();
    const first = await h.call('GET', '/api/v1/events', { token });
    const reader = first.body!.getReader();
    const seen = { text: '' };
    await readUntil(reader, seen, /: connected/);
    h.orchestrator.cradle.eventBus.publish(pruned(1));
    h.orchestrator.cradle.eventBus.publish(pruned(2));
    await readUntil(reader, seen, /"jobId":"j2"[^\n]*\n\n/);
    const seenIds = ids(seen.text);
    expect(seenIds).toHaveLength(2);
    await reader.cancel();

    h.orchestrator.cradle.eventBus.publish(pruned(3));
    const again = await h.call('GET', '/api/v1/events', { token, headers: { 'last-event-id': seenIds[0] as string } });
    const r2 = again.body!.getReader();
    const resumed = { text: '' };
    await readUntil(r2, resumed, /: connected/);
    expect(ids(resumed.text)).toEqual([seenIds[1], String(Number(seenIds[1]) + 1)]);
    expect(resumed.text).toContain('"jobId":"j3"');
    h.orchestrator.cradle.eventBus.publish(pruned(4));
    await readUntil(r2, resumed, /"jobId":"j4"/);
    await r2.cancel();

    const stale = await h.call('GET', '/api/v1/events', { token, headers: { 'last-event-id': 'from-another-life' } });
    const r3 = stale.body!.getReader();
    const reset = { text: '' };
    await readUntil(r3, reset, /event: reset\n/);
    await r3.cancel();
  });
});
