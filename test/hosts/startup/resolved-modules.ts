import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll } from 'vitest';

const ROOT = join(import.meta.dirname, '../../..');

export interface ResolvedRun {
  status: number | null;
  stdout: string;
  stderr: string;
  /** Every module URL resolved, in order, with any line the program appended to TRACE_FILE. */
  loaded: string[];
}

/**
 * Runs an ES module's text (from the repository root, under tsx) and answers the module URLs
 * it resolved: what a start loads, for the tests that keep heavy modules out of it. Registers
 * the removal of its work directory after the file's tests.
 */
export function modulesResolver(tag: string): (name: string, body: string) => ResolvedRun {
  const work = mkdtempSync(join(tmpdir(), `ai-implement-${tag}-`));
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  return (name, body) => {
    const program = join(ROOT, `.${tag}-${process.pid}-${name}.ts`);
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
  };
}

/** A program that composes the server (memory store and shadow runner unless `env` says otherwise), runs `after`, and disposes it. */
export const composeServer = (env: Record<string, string>, after: string) => `
import { loadConfig } from './hosts/config.js';
import { createOrchestrator } from './hosts/container.js';
const silent = { info() {}, warn() {}, error() {} };
const { asValue } = await import('awilix');
const orchestrator = await createOrchestrator(loadConfig(${JSON.stringify({ STORAGE_URL: 'memory:', RUNNER_MODE: 'shadow', ...env })})._unsafeUnwrap(), { logger: asValue(silent) });
${after}
await orchestrator.dispose();
`;
