import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from '../../../hosts/http/openapi/openapi-document.js';
import { type Harness, startHarness } from '../harness.js';
import { localMapping, SHADOW, seedIssue } from '../v1/v1-helpers.js';
import { METHODS } from './openapi-helpers.js';
import { checkValue } from './schema-check.js';

/**
 * The document against the running app: every operation is called (path parameters `x`, an
 * empty JSON object as body) and must answer a status the document lists for it, with an
 * `error` its examples name (then again with a body that is not JSON) (a `{placeholder}` or `(…)` in an example matches any text).
 */

type Op = {
  requestBody?: unknown;
  responses: Record<
    string,
    { content?: Record<string, { schema?: unknown; examples?: Record<string, { value: { error?: string } }> }> }
  >;
};
const doc = buildOpenApiDocument('test');
const operations = Object.entries(doc.paths).flatMap(([path, item]) =>
  METHODS.filter((m) => item[m]).map((method) => ({ path, method, op: item[method] as unknown as Op })),
);

function matches(example: string, actual: string): boolean {
  const pattern = example
    .split(/(\{[^}]+\}|\([^)]*\))/)
    .map((part, i) => (i % 2 === 1 ? '.+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${pattern}$`, 's').test(actual);
}

async function sweep(h: Harness, token?: string, garbage = false): Promise<string[]> {
  const wrong: string[] = [];
  for (const { path, method, op } of operations) {
    // The event stream never ends; its answer is checked in test/hosts/v1.
    if (path === '/api/v1/events' && token) continue;
    const url = path.replace(/\{[^}]+\}/g, 'x');
    const res = await h.call(method.toUpperCase(), url, {
      ...(token ? { token } : {}),
      ...(op.requestBody ? (garbage ? { raw: '{not json' } : { body: {} }) : {}),
    });
    const at = `${method.toUpperCase()} ${path} → ${res.status}`;
    const documented = op.responses[String(res.status)];
    if (!documented) {
      wrong.push(`${at}: status not documented (${await res.text()})`);
      continue;
    }
    if (!(res.headers.get('content-type') ?? '').startsWith('application/json')) {
      await res.body?.cancel();
      continue;
    }
    const body = (await res.json()) as { error?: unknown };
    const media = documented.content?.['application/json'];
    if (!media) wrong.push(`${at}: answered JSON, documented none`);
    else wrong.push(...checkValue(doc as never, media.schema, body).map((p) => `${at}: ${p}`));
    if (res.status < 400) continue;
    if (typeof body.error !== 'string') continue;
    const examples = Object.values(documented.content?.['application/json']?.examples ?? {}).map((e) => e.value.error ?? '');
    if (!examples.some((e) => matches(e, body.error as string)))
      wrong.push(`${at}: "${body.error}" not among ${JSON.stringify(examples)}`);
  }
  return wrong;
}

describe('the document matches what the app answers', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(() => h.close());

  it('the example matcher treats only placeholders as wildcards', () => {
    expect(matches('Unknown event type: {type}', 'Unknown event type: nope')).toBe(true);
    expect(matches('(underlying error message)', 'boom')).toBe(true);
    expect(matches('Team not found', 'Team not found!')).toBe(false);
    expect(matches('mode must be one of: default, gha, fly, local, shadow', 'mode must be one of: default')).toBe(false);
  });

  it('the schema check finds a missing field, a wrong type and a value outside an enum', () => {
    const mapping = { $ref: '#/components/schemas/Mapping' };
    expect(checkValue(doc as never, mapping, { owner: 'a', repo: 'b', paused: 'no', ticketing: 'trello' })).toEqual([
      '$: teamKey is required',
      '$.paused: "no" is not boolean',
      '$.ticketing: trello not in linear|jira|github|local',
    ]);
    expect(checkValue(doc as never, mapping, { teamKey: 'T', owner: 'a', repo: 'b' })).toEqual([]);
  });

  it('without a token', async () => {
    expect(await sweep(h)).toEqual([]);
  });

  it('with the admin token', async () => {
    expect(await sweep(h, await h.login())).toEqual([]);
  });

  it('with the admin token and bodies that are not JSON', async () => {
    expect(await sweep(h, await h.login(), true)).toEqual([]);
  });

  it('with a mapping, tracker issues and a dispatched shadow job, so the lists are not empty', async () => {
    const busy = await startHarness('memory', SHADOW);
    try {
      const token = await busy.login();
      await localMapping(busy, token, { maxInProgressAiIssues: 1 });
      await seedIssue(busy, { title: 'urgent', priority: 1, labels: ['AI-Implement'] });
      await seedIssue(busy, { title: 'waiting', priority: 4, labels: ['AI-Implement'] });
      await busy.orchestrator.cradle.reconcile.request();
      const state = (await (await busy.call('GET', '/api/v1/state', { token })).json()) as {
        running: unknown[];
        queued: unknown[];
      };
      expect(state.running.length + state.queued.length).toBeGreaterThan(0);
      expect(await sweep(busy, token)).toEqual([]);
    } finally {
      await busy.close();
    }
  });

  it('with the admin disabled', async () => {
    const off = await startHarness('memory', {});
    try {
      expect(await sweep(off)).toEqual([]);
    } finally {
      await off.close();
    }
  });
});
