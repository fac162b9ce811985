/**
 * `@linear/sdk` (3.2 MB) loads at the first Linear request, not at start: a composed server
 * without any Linear configuration never resolves its main module; one with a Linear key
 * resolves it only once a request is made (issue 11: start-up time and memory).
 */
import { describe, expect, it } from 'vitest';
import { composeServer, modulesResolver } from './resolved-modules.js';

const resolvedBy = modulesResolver('lazy-sdk');

const SDK_MAIN = /@linear\/sdk\/dist\/index\.mjs$/;

describe('@linear/sdk is loaded at the first Linear request', () => {
  it('a server without Linear configured never loads it', { timeout: 180_000 }, () => {
    const run = resolvedBy('without', composeServer({}, ''));
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.loaded.some((url) => url.includes('/hosts/container.ts'))).toBe(true);
    expect(run.loaded.filter((url) => SDK_MAIN.test(url))).toEqual([]);
  });

  it('with a Linear key it loads at the first request, not at start', { timeout: 180_000 }, () => {
    const run = resolvedBy(
      'with',
      composeServer(
        { LINEAR_API_KEY: 'lin_api_test', LINEAR_API_URL: 'http://127.0.0.1:9/graphql' },
        `
const { appendFileSync } = await import('node:fs');
const linear = orchestrator.cradle.ticketingRegistry.get('linear');
appendFileSync(process.env.TRACE_FILE, 'MARK first request\\n');
const answer = await linear.getIssue('ENG-1');
console.log(answer.isErr() ? answer.error.kind : 'ok');
`,
      ),
    );
    expect(run.status).toBe(0);
    expect(run.stdout.trim()).toBe('unavailable'); // nothing listens on port 9
    const markAt = run.loaded.indexOf('MARK first request');
    const sdkAt = run.loaded.findIndex((url) => SDK_MAIN.test(url));
    expect(run.loaded.some((url) => url.includes('/adapters/ticketing/linear/linear.adapter.ts'))).toBe(true);
    expect(markAt).toBeGreaterThan(0);
    expect(sdkAt).toBeGreaterThan(markAt);
  });
});
