import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from '../../../hosts/http/openapi/openapi-document.js';
import { heldShadowRunner } from '../capturing-runner.js';
import { type Harness, startHarness } from '../harness.js';
import { localMapping, SHADOW, seedIssue } from '../v1/v1-helpers.js';
import { checkValue } from './schema-check.js';

/**
 * The sweep calls every operation with `x` for its path parameters, so the routes about one
 * issue, job or attempt mostly answer 404 there. Here they are called with the ids of a real
 * dispatched job, and each 200 answer must fit its documented schema.
 */

type Op = { responses: Record<string, { content?: Record<string, { schema?: unknown }> }> };
const doc = buildOpenApiDocument('test');

describe('the documented answers of one issue and its job', () => {
  let h: Harness;
  let token: string;
  let job: { jobId: string; identifier: string };

  beforeAll(async () => {
    h = await startHarness('memory', SHADOW, heldShadowRunner());
    token = await h.login();
    await localMapping(h, token);
    await seedIssue(h, { title: 'urgent', priority: 1, labels: ['AI-Implement'] });
    await h.orchestrator.cradle.reconcile.request();
    const state = (await (await h.call('GET', '/api/v1/state', { token })).json()) as {
      running: { jobId: string; identifier: string }[];
    };
    job = state.running[0] as { jobId: string; identifier: string };
  });
  afterAll(() => h.close());

  it.each([
    ['/api/v1/{id}', (j: typeof job) => `/api/v1/${j.identifier}`],
    ['/api/v1/{id}/attempts', (j: typeof job) => `/api/v1/${j.identifier}/attempts`],
    ['/api/v1/attempts/{aid}', (j: typeof job) => `/api/v1/attempts/${j.jobId}`],
    ['/api/jobs/{jobId}/steps', (j: typeof job) => `/api/jobs/${j.jobId}/steps`],
    ['/api/v1/transitions', () => '/api/v1/transitions'],
  ])('GET %s', async (path, url) => {
    expect(job?.jobId).toBeTruthy();
    const res = await h.call('GET', url(job), { token });
    expect(res.status).toBe(200);
    const op = doc.paths[path]?.get as unknown as Op;
    const schema = op.responses['200']?.content?.['application/json']?.schema;
    expect(schema).toBeDefined();
    expect(checkValue(doc as never, schema, await res.json())).toEqual([]);
  });
});
