/**
 * `@linear/sdk` (3.2 MB) loads at the first Linear request, not at start: a composed server
 * without any Linear configuration never resolves its main module; one with a Linear key
 * resolves it only once a request is made (issue 11: start-up time and memory).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../../..');
const work = mkdtempSync(join(tmpdir(), 'ai-implement-lazy-sdk-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Runs `body` (an ES module's text, run from the repository root) and answers the module URLs it resolved. */
function resolvedBy(name: string, body: string): { status: number | null; stdout: string; stderr: string; loaded: string[] } {
  const program = join(ROOT, `.lazy-sdk-${process.pid}-${name}.ts`);
  writeFileSync(program, body);
  const trace = join(work, `${name}.txt`);
  writeFileSync(trace, '');
  const hooks = join(work, `${name}-hooks.mjs`);
  writeFileSync(
    hooks,
    `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  appendFileSync(${JSON.stringify(trace)}, resolved.url + '\\n');
  return resolved;
}
`,
  );
  const register = join(work, `${name}-register.mjs`);
  writeFileSync(register, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`);
  try {
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--import', pathToFileURL(register).href, program], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 170_000,
      env: { ...process.env, TRACE_FILE: trace },
    });
    return {
      status: run.status,
      stdout: run.stdout,
      stderr: run.stderr,
      loaded: readFileSync(trace, 'utf8').split('\n').filter(Boolean),
    };
  } finally {
    rmSync(program, { force: true });
  }
}

const SDK_MAIN = /@linear\/sdk\/dist\/index\.mjs$/;

const compose = (env: Record<string, string>, after: string) => `
import { loadConfig } from './hosts/config.js';
import { createOrchestrator } from './hosts/container.js';
const silent = { info() {}, warn() {}, error() {} };
const { asValue } = await import('awilix');
const orchestrator = await createOrchestrator(loadConfig(${JSON.stringify({ STORAGE_URL: 'memory:', RUNNER_MODE: 'shadow', ...env })})._unsafeUnwrap(), { logger: asValue(silent) });
${after}
await orchestrator.dispose();
`;

describe('@linear/sdk is loaded at the first Linear request', () => {
  it('a server without Linear configured never loads it', { timeout: 180_000 }, () => {
    const run = resolvedBy('without', compose({}, ''));
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.loaded.some((url) => url.includes('/hosts/container.ts'))).toBe(true);
    expect(run.loaded.filter((url) => SDK_MAIN.test(url))).toEqual([]);
  });

  it('with a Linear key it loads at the first request, not at start', { timeout: 180_000 }, () => {
    const run = resolvedBy(
      'with',
      compose(
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
