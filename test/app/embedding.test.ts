/**
 * The README's "Embedding" program, run as written from the repository root in a child process
 * with a module-resolution tracer: it must print the dispatch it sees, and neither h3 nor
 * tsyringe (nor reflect-metadata) may be among the modules it loaded.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');

function embeddingProgram(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Embedding'));
  const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  if (!block) throw new Error('README.md has no ts block under "## Embedding"');
  return block;
}

const work = mkdtempSync(join(tmpdir(), 'ai-implement-embed-'));
const program = join(ROOT, `.embed-${process.pid}.ts`);
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
  rmSync(program, { force: true });
});

function runTraced(source: string): { stdout: string; stderr: string; status: number | null; loaded: string[] } {
  writeFileSync(program, source);
  const trace = join(work, 'trace.txt');
  writeFileSync(trace, '');
  const hooks = join(work, 'hooks.mjs');
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
  const register = join(work, 'register.mjs');
  writeFileSync(register, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`);
  // From the checkout's sources: the `ai-implement-source` condition of package.json `exports`
  // (an installed package resolves to dist/; test/package covers that).
  const args = ['--conditions=ai-implement-source', '--import', 'tsx', '--import', pathToFileURL(register).href, program];
  const run = spawnSync(process.execPath, args, {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return {
    stdout: run.stdout,
    stderr: run.stderr,
    status: run.status,
    loaded: readFileSync(trace, 'utf8').split('\n').filter(Boolean),
  };
}

describe("the README's embedding program", () => {
  it('creates a mapping and an issue, reconciles once and prints the dispatch, without loading h3 or tsyringe', () => {
    const run = runTraced(embeddingProgram());
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^dispatched APP-1 \(planning\) as job \S+\n$/);
    expect(run.loaded.some((url) => url.includes('/hosts/composition/create-core.ts'))).toBe(true);
    const forbidden = run.loaded.filter((url) => /\/node_modules\/(h3|srvx|tsyringe|reflect-metadata)\//.test(url));
    expect(forbidden).toEqual([]);
  });

  it('the tracer sees h3 when the bundled server is imported (the check above can fail)', () => {
    const run = runTraced("import { createOrchestrator } from 'ai-implement/h3';\nconsole.log(typeof createOrchestrator);\n");
    expect(run.stdout.trim()).toBe('function');
    expect(run.loaded.some((url) => url.includes('/node_modules/h3/'))).toBe(true);
  });
});
