import http from 'node:http';

/** One HTTP request shape for the load generator. */
export interface Target {
  port: number;
  path: string;
  method?: 'GET' | 'POST';
  /** Per request: a body and headers (e.g. a different job's token per request). */
  request?: (n: number) => { body?: string; headers?: Record<string, string> };
}

export interface LoadResult {
  requests: number;
  errors: number;
  /** Non-2xx answers, by status. */
  statuses: Record<string, number>;
  durationMs: number;
  rps: number;
  p50: number;
  p99: number;
  max: number;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

/** One request on a keep-alive agent; resolves the status (0 for a socket error). */
function send(agent: http.Agent, target: Target, n: number): Promise<number> {
  const { body, headers } = target.request?.(n) ?? {};
  return new Promise((done) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port: target.port,
        path: target.path,
        method: target.method ?? 'GET',
        agent,
        headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
      },
      (res) => {
        res.resume();
        res.on('end', () => done(res.statusCode ?? 0));
        res.on('error', () => done(0));
      },
    );
    req.on('error', () => done(0));
    req.end(body);
  });
}

function summarize(latencies: number[], statuses: Record<string, number>, errors: number, durationMs: number): LoadResult {
  const sorted = latencies.sort((a, b) => a - b);
  return {
    requests: sorted.length,
    errors,
    statuses,
    durationMs,
    rps: (sorted.length / durationMs) * 1000,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1] ?? Number.NaN,
  };
}

/** `concurrency` workers, each sending its next request when the previous one answered, for `durationMs`. */
export async function closedLoop(target: Target, concurrency: number, durationMs: number): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let errors = 0;
  let n = 0;
  const started = performance.now();
  const until = started + durationMs;
  const worker = async () => {
    while (performance.now() < until) {
      const t0 = performance.now();
      const status = await send(agent, target, n++);
      latencies.push(performance.now() - t0);
      if (status < 200 || status >= 300) {
        errors++;
        statuses[status] = (statuses[status] ?? 0) + 1;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = performance.now() - started;
  agent.destroy();
  return summarize(latencies, statuses, errors, elapsed);
}

/**
 * An open loop: `rate` requests a second, sent on schedule whatever the answers (latency is
 * measured from the scheduled time, so a server that falls behind shows it), for `durationMs`.
 */
export async function openLoop(target: Target, rate: number, durationMs: number): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let errors = 0;
  const total = Math.round((rate * durationMs) / 1000);
  const started = performance.now();
  const pending: Promise<void>[] = [];
  let sent = 0;
  await new Promise<void>((done) => {
    const tick = () => {
      const now = performance.now();
      const due = Math.min(total, Math.floor(((now - started) / 1000) * rate) + 1);
      while (sent < due) {
        const scheduled = started + (sent / rate) * 1000;
        const n = sent++;
        pending.push(
          send(agent, target, n).then((status) => {
            latencies.push(performance.now() - scheduled);
            if (status < 200 || status >= 300) {
              errors++;
              statuses[status] = (statuses[status] ?? 0) + 1;
            }
          }),
        );
      }
      if (sent >= total) done();
      else setTimeout(tick, 1);
    };
    tick();
  });
  await Promise.all(pending);
  const elapsed = performance.now() - started;
  agent.destroy();
  return summarize(latencies, statuses, errors, elapsed);
}

/** Sequential requests (one at a time) until `count` or `maxMs`, after `warmup` unmeasured ones. */
export async function sequential(target: Target, count: number, maxMs: number, warmup = 3): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  for (let i = 0; i < warmup; i++) await send(agent, target, i);
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let errors = 0;
  const started = performance.now();
  for (let i = 0; i < count && performance.now() - started < maxMs; i++) {
    const t0 = performance.now();
    const status = await send(agent, target, i);
    latencies.push(performance.now() - t0);
    if (status < 200 || status >= 300) {
      errors++;
      statuses[status] = (statuses[status] ?? 0) + 1;
    }
  }
  const elapsed = performance.now() - started;
  agent.destroy();
  return summarize(latencies, statuses, errors, elapsed);
}
