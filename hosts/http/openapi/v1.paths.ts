import { arrayOf, bool, int, jsonResponse, millis, obj, type Paths, ref, str } from './openapi-builders.js';

/** State & Metrics and Docs & Spec of v1-api-state-issues-config.txt (`/api/v1/secrets` is in secrets.paths.ts). */

const TAGS = ['State & Metrics'];

export const v1Paths: Paths = {
  '/api/v1/state': {
    get: {
      operationId: 'v1State',
      tags: TAGS,
      summary: 'Full orchestrator snapshot: queued, running, completed issues and token totals',
      responses: { '200': jsonResponse(ref('StateView')) },
    },
  },
  '/api/v1/runtime': {
    get: {
      operationId: 'v1Runtime',
      tags: TAGS,
      summary: 'Runtime info: version, data directory, feature flags',
      responses: {
        '200': jsonResponse(
          obj({
            version: str(),
            node: str(),
            startedAt: millis(),
            uptimeSeconds: { type: 'number' },
            dataDir: str(),
            storage: { type: 'string', enum: ['sqlite', 'postgres', 'lowdb', 'memory', 'fs', 'redis', 'other'] },
            pollIntervalMs: int(),
            features: { type: 'object', additionalProperties: bool() },
            runnerMode: obj({ effective: str(), source: { type: 'string', enum: ['env', 'stored', 'default'] } }),
          }),
        ),
      },
    },
  },
  '/api/v1/refresh': {
    post: {
      operationId: 'v1Refresh',
      tags: TAGS,
      summary: 'Trigger an immediate poll/reconciliation cycle (runs asynchronously)',
      responses: { '202': jsonResponse(obj({ queued: bool() }), 'Accepted: the cycle runs in the background') },
    },
  },
  '/api/v1/events': {
    get: {
      operationId: 'v1Events',
      tags: TAGS,
      summary: 'SSE stream of real-time orchestrator events',
      description:
        'Each event is a `data:` line holding `{ type, at, data }` JSON; comment lines are heartbeats. A client that leaves 1000 events unread is dropped and reconnects.',
      responses: {
        '200': { description: 'An event stream', content: { 'text/event-stream': { schema: { type: 'string' } } } },
      },
    },
  },
  '/metrics': {
    get: {
      operationId: 'metrics',
      tags: TAGS,
      summary: 'Prometheus-format service metrics (public: a scraper cannot log in)',
      security: [],
      responses: {
        '200': { description: 'Prometheus text exposition 0.0.4', content: { 'text/plain': { schema: { type: 'string' } } } },
      },
    },
  },
};

/** The `StateView` of `GET /api/v1/state` (hosts/services/state.service.ts). */
export const stateViewSchema = obj({
  generatedAt: millis(),
  counts: obj({ queued: int(), running: int(), completed: int(), failed: int() }),
  queued: arrayOf({ type: 'object' }),
  running: arrayOf(ref('JobRow')),
  completed: arrayOf(ref('JobRow')),
  failed: arrayOf(ref('JobRow')),
  mappings: arrayOf(obj({ teamKey: str(), ticketing: str(), paused: bool(), inProgress: int(), cap: int() })),
  lastReconcile: {
    type: 'object',
    nullable: true,
    properties: {
      startedAt: millis(),
      finishedAt: millis(),
      durationMs: int(),
      dispatched: int(),
      errors: { type: 'object', additionalProperties: str() },
    },
  },
  tokens: obj({ input: int(), output: int(), total: int(), reported: bool() }),
});

export const jobRowSchema = obj(
  {
    jobId: str(),
    issueId: str(),
    identifier: str(),
    teamKey: str(),
    owner: str(),
    repo: str(),
    phase: str(),
    status: str(),
    runner: str(),
    dispatchNumber: int(),
    dispatchedAt: millis(),
    durationSeconds: { type: 'number' },
    finishedAt: millis(),
    runUrl: str(),
    prUrl: str(),
    prNumber: int(),
    error: str(),
    timedOutReason: str(),
  },
  ['jobId', 'issueId', 'identifier', 'teamKey', 'status', 'dispatchedAt'],
);
