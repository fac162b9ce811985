import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../harness.js';
import { parseExposition, sampleValue } from '../v1/prometheus-parser.js';
import { localMapping, SHADOW } from '../v1/v1-helpers.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const HISTOGRAM = 'ai_implement_http_request_duration_seconds';

describe('/metrics: process metrics and the HTTP request histogram (prom-client)', () => {
  it('counts requests by method, route pattern (never the raw path) and status', async () => {
    h = await startHarness('memory', SHADOW);
    const token = await h.login();
    await localMapping(h, token);
    const pause = { paused: true };
    expect((await h.call('PATCH', '/api/mappings/LOC', { token, body: pause })).status).toBe(200);
    expect((await h.call('PATCH', '/api/mappings/NOPE', { token, body: pause })).status).toBe(404);
    expect((await h.call('PATCH', '/api/mappings/NOPE', { body: pause })).status).toBe(401);
    expect((await h.call('GET', '/no/such/path-123')).status).toBe(404);

    const text = await (await h.call('GET', '/metrics')).text();
    const families = parseExposition(text);
    const count = (labels: Record<string, string>) => sampleValue(families, HISTOGRAM, labels, `${HISTOGRAM}_count`);
    expect(families.get(HISTOGRAM)?.type).toBe('histogram');
    expect(count({ method: 'PATCH', route: '/api/mappings/:teamKey', status: '200' })).toBe(1);
    expect(count({ method: 'PATCH', route: '/api/mappings/:teamKey', status: '404' })).toBe(1);
    expect(count({ method: 'PATCH', route: '/api/mappings/:teamKey', status: '401' })).toBe(1);
    expect(count({ method: 'POST', route: '/api/mappings', status: '200' })).toBe(1);
    expect(count({ method: 'POST', route: '/api/auth', status: '200' })).toBe(1);
    expect(count({ method: 'GET', route: 'unmatched', status: '404' })).toBe(1);
    // No raw path becomes a label value (a scanner's probes would grow the page without end).
    for (const leak of ['NOPE', 'path-123', '/api/mappings/LOC']) expect(text).not.toContain(leak);
  });

  it('exposes the process metrics: memory, CPU, event-loop lag, GC', async () => {
    h = await startHarness('memory', SHADOW);
    const families = parseExposition(await (await h.call('GET', '/metrics')).text());
    for (const name of [
      'process_resident_memory_bytes',
      'process_cpu_seconds_total',
      'nodejs_heap_size_used_bytes',
      'nodejs_eventloop_lag_seconds',
      'nodejs_eventloop_lag_p99_seconds',
      'nodejs_gc_duration_seconds',
    ])
      expect(families.has(name), name).toBe(true);
    // The engine's own families are still there.
    expect(sampleValue(families, 'ai_implement_mappings')).toBe(0);
  });
});
