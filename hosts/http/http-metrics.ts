import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';

/** The HTTP side of `/metrics`: the process's own metrics and a request histogram (prom-client). */
export interface HttpMetrics {
  /** One answered request: its method, the route pattern it matched (`/api/mappings/:teamKey`), its status. */
  observe(method: string, route: string, status: number, seconds: number): void;
  /** Exposition text of the process metrics and the request histogram. */
  render(): Promise<string>;
}

/** The route label of a request no route matched (a 404): never the raw path, which anyone can vary. */
export const UNMATCHED_ROUTE = 'unmatched';
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

let processRegistry: Registry | undefined;
const LINT_FAILING = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

/**
 * Memory, CPU, event-loop lag, GC, handles: one set per process (they describe the process, and
 * each collection starts observers of its own), made on first use and shared by every app.
 */
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry, eventLoopMonitoringPrecision: 20 });
    // Gauges named like counters fail `promtool check metrics`; the per-type gauges without `_total` stay.
    for (const name of LINT_FAILING) processRegistry.removeSingleMetric(name);
  }
  return processRegistry;
}

export function createHttpMetrics(): HttpMetrics {
  const registry = new Registry();
  const requests = new Histogram({
    name: 'ai_implement_http_request_duration_seconds',
    help: 'HTTP requests by method, route pattern and status, until the response headers',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: BUCKETS,
    registers: [registry],
  });
  return {
    observe(method, route, status, seconds) {
      const upper = method.toUpperCase();
      requests.observe({ method: METHODS.has(upper) ? upper : 'OTHER', route, status: String(status) }, seconds);
    },
    async render() {
      // prom-client separates families with blank lines; the page is one block of lines.
      const text = `${await processMetrics().metrics()}\n${await registry.metrics()}`;
      return `${text
        .split('\n')
        .filter((line) => line !== '')
        // prom-client writes a lag with no sample yet as "Nan"; the format says NaN.
        .map((line) => line.replace(/ Nan$/, ' NaN'))
        .join('\n')}\n`;
    },
  };
}
