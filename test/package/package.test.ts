/**
 * The package as a consumer gets it: `npm pack`, then the tarball installed into an empty
 * project, offline. Its dependencies are linked from this checkout's node_modules beforehand,
 * so npm finds them installed and fetches nothing; tsx is not among them, so nothing resolves it.
 * Then `npm start` as an operator runs it, stopped with SIGTERM.
 *
 * One file, run in order: the build (prepack, prestart) writes dist/, which both parts use.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
const run = promisify(execFile);
const work = mkdtempSync(join(tmpdir(), 'ai-implement-package-'));
const consumer = join(work, 'consumer');
const installed = join(consumer, 'node_modules', 'ai-implement');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
};
let packed: string[] = [];

afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Links a package of this checkout's node_modules into the consumer's, as if installed there. */
function link(name: string): void {
  const target = join(consumer, 'node_modules', name);
  mkdirSync(dirname(target), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules', name), target);
}

beforeAll(async () => {
  await run(process.execPath, ['scripts/build.mjs'], { cwd: ROOT });
  const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: ROOT });
  const [report] = JSON.parse(stdout) as { filename: string; files: { path: string }[] }[];
  if (!report) throw new Error('npm pack reported nothing');
  packed = report.files.map((f) => f.path);
  mkdirSync(join(consumer, 'node_modules'), { recursive: true });
  writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  for (const name of Object.keys(pkg.dependencies)) link(name);
  await run(
    'npm',
    ['install', '--offline', '--ignore-scripts', '--no-save', '--no-audit', '--no-fund', join(work, report.filename)],
    { cwd: consumer },
  );
  // What a consumer brings besides (npm prunes them as extraneous when installing): its types
  // for Node, and vitest for the conformance kit.
  for (const name of ['@types/node', 'vitest', 'graphql']) link(name);
}, 300_000);

describe('the packed tarball', () => {
  it('holds what runs: the compiled dist/, the README and custom/README.md; no tests, benches or sources', () => {
    expect(packed).toContain('dist/index.js');
    expect(packed).toContain('dist/index.d.ts');
    expect(packed).toContain('dist/hosts/cli/bin.js');
    expect(packed).toContain('dist/hosts/admin/index.html');
    expect(packed).toContain('dist/hosts/http/openapi/docs-page/index.html');
    expect(packed).toContain('dist/plugins/pipelines/implementation.yml');
    expect(packed).toContain('dist/testing/fakes/linear/linear-schema.graphql');
    const outside = packed.filter(
      (p) => !p.startsWith('dist/') && !['package.json', 'README.md', 'custom/README.md'].includes(p),
    );
    expect(outside).toEqual([]);
    expect(packed.filter((p) => /\.test\.|(^|\/)(test|bench)\//.test(p))).toEqual([]);
    expect(packed.filter((p) => p.endsWith('.ts') && !p.endsWith('.d.ts'))).toEqual([]);
  });

  it('nothing under dist/ imports tsx; only the loader of .ts custom files reaches for it, when there is one', () => {
    const importsTsx = /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)['"]tsx(?:\/[^'"]*)?['"]/;
    const offenders = packed.filter((p) => p.endsWith('.js') && importsTsx.test(readFileSync(join(installed, p), 'utf8')));
    expect(offenders).toEqual(['dist/plugins/plugin-api-resolution.js']);
    const loader = readFileSync(join(installed, 'dist/plugins/plugin-api-resolution.js'), 'utf8');
    expect(loader).not.toMatch(/^import .*['"]tsx/m);
  });
});

describe('installed into an empty project (offline)', { timeout: 120_000 }, () => {
  it('cannot resolve tsx from the installed package (the checks below run without it)', async () => {
    const probe = "try { import.meta.resolve('tsx'); console.log('found'); } catch { console.log('absent'); }";
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', probe], { cwd: installed });
    expect(stdout.trim()).toBe('absent');
  });

  it('plain Node imports createCore and runs it; the entries leave the global Reflect alone but ./tsyringe', async () => {
    const program = `
import { createCore, createStorage, loadConfig } from 'ai-implement';
await import('ai-implement/h3');
await import('ai-implement/awilix');
await import('ai-implement/plugins');
const before = typeof Reflect.getMetadata;
const settings = loadConfig({ RUNNER_MODE: 'shadow' })._unsafeUnwrap();
const core = await createCore({ storage: await createStorage({ dataDir: '.', storageUrl: 'memory:' }) }, settings);
const report = await core.cradle.reconcile.request();
await import('ai-implement/tsyringe');
console.log(JSON.stringify({ before, dispatched: report.dispatched, after: typeof Reflect.getMetadata }));
`;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', program], { cwd: consumer });
    expect(JSON.parse(stdout)).toEqual({ before: 'undefined', dispatched: [], after: 'function' });
  });

  it('plain Node creates the whole orchestrator from the library entry, as ARCHITECTURE names it, and it answers and closes', async () => {
    const program = `
import { createOrchestrator, loadConfig } from 'ai-implement';
const config = loadConfig({ RUNNER_MODE: 'shadow', STORAGE_URL: 'memory:', DATA_DIR: '.' })._unsafeUnwrap();
const orchestrator = await createOrchestrator(config);
const health = await orchestrator.request('/healthz');
console.log(JSON.stringify({ status: health.status, body: await health.json() }));
await orchestrator.dispose();
`;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', program], { cwd: consumer });
    expect(JSON.parse(stdout.trim().split('\n').at(-1) ?? '')).toMatchObject({ status: 200, body: { status: 'ok' } });
  });

  it('node_modules/.bin/ai-implement answers --version and --help', async () => {
    const version = await run(join(consumer, 'node_modules/.bin/ai-implement'), ['--version'], { cwd: consumer });
    expect(version.stdout.trim()).toBe(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
    const help = await run(join(consumer, 'node_modules/.bin/ai-implement'), ['serve', '--help'], { cwd: consumer });
    expect(help.stdout).toContain('USAGE ai-implement serve');
  });

  it('a strict TypeScript consumer type-checks against every entry', async () => {
    writeFileSync(
      join(consumer, 'index.ts'),
      `import { createCore, createOrchestrator as createWholeOrchestrator, createStorage, type Job, loadConfig } from 'ai-implement';
import { registerOrchestratorWithAwilix } from 'ai-implement/awilix';
import { createOrchestrator } from 'ai-implement/h3';
import { definePipeline, defineStep, z } from 'ai-implement/plugins';
import { startFakeGithub, storageContract } from 'ai-implement/testing';
import { registerOrchestratorWithTsyringe } from 'ai-implement/tsyringe';

const settings = loadConfig({ RUNNER_MODE: 'shadow' })._unsafeUnwrap();
const core = await createCore({ storage: await createStorage({ dataDir: '.', storageUrl: 'memory:' }) }, settings);
const jobs: Job[] = [];
const step = defineStep({ name: 'lint', needs: ['status'], config: z.object({ fix: z.boolean() }), async run() { return { status: 'succeeded' }; } });
export const used = [core, jobs, step, createOrchestrator, createWholeOrchestrator, registerOrchestratorWithAwilix, registerOrchestratorWithTsyringe, definePipeline, storageContract, startFakeGithub];
`,
    );
    const compilerOptions = {
      target: 'ES2023',
      lib: ['ES2023'],
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      strict: true,
      noUncheckedIndexedAccess: true,
      exactOptionalPropertyTypes: true,
      noImplicitOverride: true,
      noEmit: true,
      skipLibCheck: true,
      types: ['node'],
    };
    writeFileSync(join(consumer, 'tsconfig.json'), JSON.stringify({ compilerOptions, include: ['index.ts'] }));
    const tsc = join(ROOT, 'node_modules/.bin/tsc');
    const result = await run(tsc, ['-p', 'tsconfig.json'], { cwd: consumer }).catch((e: { stdout: string }) => e);
    expect(result.stdout).toBe('');
  });

  it("runs the conformance kit from ai-implement/testing in the consumer's own vitest (README's three lines)", async () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const lines = /## Conformance kit[\s\S]*?```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    if (!lines) throw new Error('README.md has no ts block under "## Conformance kit"');
    expect(lines.trim().split('\n')).toHaveLength(3);
    writeFileSync(
      join(consumer, 'kit.test.ts'),
      `${lines}
import { startFakeFly, startFakeGithub, startFakeJira, startFakeLinear } from 'ai-implement/testing';
import { expect, it } from 'vitest';
it('starts and stops every wire-level fake', async () => {
  for (const start of [startFakeLinear, startFakeJira, startFakeGithub, startFakeFly]) {
    const fake = await start();
    expect(fake.url).toMatch(/^http:\\/\\/127\\.0\\.0\\.1:\\d+/);
    await fake.close();
  }
});
`,
    );
    const vitest = join(consumer, 'node_modules/vitest/vitest.mjs');
    // This machine may be busy: the suites' own 5 s per test is not what is checked here.
    const args = [vitest, 'run', 'kit.test.ts', '--reporter=json', '--testTimeout=60000'];
    const { stdout } = await run(process.execPath, args, { cwd: consumer }).catch((e: { stdout: string }) => e);
    const report = JSON.parse(stdout.slice(stdout.indexOf('{'))) as {
      numPassedTests: number;
      numFailedTests: number;
      numTotalTests: number;
    };
    // Every contract test the kit holds ran and passed (the kit grows with each new store: at least the 29 of its first release).
    expect(report.numFailedTests).toBe(0);
    expect(report.numPassedTests).toBe(report.numTotalTests);
    expect(report.numTotalTests).toBeGreaterThanOrEqual(29);
  });

  it("resolves the local runner's session entry to the compiled one, which runs", async () => {
    const layout = join(installed, 'dist/hosts/package-layout.js');
    const program = `const l = await import(${JSON.stringify(layout)}); console.log(JSON.stringify({ root: l.PACKAGE_ROOT, command: l.sessionEntryCommand() }));`;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', program], { cwd: consumer });
    const { root, command } = JSON.parse(stdout) as { root: string; command: string[] };
    expect(root).toBe(installed);
    expect(command).toEqual(['node', 'dist/hosts/cli/bin.js', 'session']);
    const help = await run(command[0] ?? 'node', [...command.slice(1), '--help'], { cwd: root });
    expect(help.stdout).toContain('USAGE ai-implement session');
  });

  it('a TypeScript custom step stops the start with a clear message without tsx, and loads with it', async () => {
    const custom = join(consumer, 'custom/steps');
    mkdirSync(custom, { recursive: true });
    writeFileSync(
      join(custom, 'lint.step.ts'),
      "import { defineStep, z } from 'ai-implement/plugins';\nexport default defineStep({ name: 'lint', needs: [], config: z.object({}), async run() { return { status: 'succeeded' as const }; } });\n",
    );
    const failed = await run(join(consumer, 'node_modules/.bin/ai-implement'), ['serve'], {
      cwd: consumer,
      env: { PATH: process.env.PATH, PORT: '0', STORAGE_URL: 'memory:' },
    }).then(
      () => undefined,
      (e: { code: number; stderr: string }) => e,
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stderr).toContain('custom/steps/lint.step.ts: a TypeScript file needs tsx to load');

    // With tsx installed beside it, the compiled loader takes it up and the step loads.
    link('tsx');
    const loader = join(installed, 'dist/plugins/plugin-loader.js');
    const program = `const { loadPlugins } = await import(${JSON.stringify(loader)});
const catalog = await loadPlugins({ customDir: 'custom', services: ['agent', 'forge', 'shell', 'status', 'clock'] });
console.log(JSON.stringify(catalog.steps.filter((s) => s.status !== 'built-in').map((s) => s.customPath)));`;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', program], { cwd: consumer });
    expect(JSON.parse(stdout)).toEqual(['custom/steps/lint.step.ts']);
    rmSync(join(consumer, 'node_modules/tsx'));
    rmSync(join(consumer, 'custom'), { recursive: true });
  });
});

/** `pid` and every process under it, with their command lines, from `ps`. */
async function processTree(pid: number): Promise<{ pid: number; args: string }[]> {
  const { stdout } = await run('ps', ['-eo', 'pid=,ppid=,args=']);
  const children = new Map<number, { pid: number; args: string }[]>();
  let root = { pid, args: '' };
  for (const line of stdout.trim().split('\n')) {
    const match = /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line);
    if (!match) continue;
    const entry = { pid: Number(match[1]), args: match[3] ?? '' };
    if (entry.pid === pid) root = entry;
    const parent = Number(match[2]);
    children.set(parent, [...(children.get(parent) ?? []), entry]);
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i++) tree.push(...(children.get(tree[i]?.pid ?? 0) ?? []));
  return tree;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('npm start', () => {
  let child: ChildProcess | undefined;
  let started: { pid: number }[] = [];
  afterAll(() => {
    // Whatever an assertion left running: the server first, then npm.
    for (const { pid } of started.reverse()) if (alive(pid)) process.kill(pid, 'SIGKILL');
  });

  it('runs the compiled server, says where the admin is, and SIGTERM leaves no process behind', async () => {
    const dataDir = join(work, 'data');
    child = spawn('npm', ['start', '--', '--dotenv', join(work, 'no.env')], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        PORT: '0',
        DATA_DIR: dataDir,
        ADMIN_ACCESS_CODE: 'a-long-access-code',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout?.on('data', (d) => {
      output += String(d);
    });
    child.stderr?.on('data', (d) => {
      output += String(d);
    });
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL printed: ${output}`)), 120_000);
      child?.stdout?.on('data', () => {
        const match = /listening on (http:\/\/\S+)[\s\S]*Next: /.exec(output);
        if (match?.[1]) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
      child?.once('exit', (code) => reject(new Error(`exited early with ${code}: ${output}`)));
    });
    expect(output).toContain(`Admin: ${url}/admin`);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    // The copied assets are served: the admin page and its modules, the API explorer.
    for (const path of ['/admin', '/admin/assets/app.js', '/api/docs/assets/docs.js']) {
      expect([path, (await fetch(`${url}${path}`)).status]).toEqual([path, 200]);
    }
    const tree = await processTree(child.pid ?? 0);
    started = tree;
    // npm, perhaps its shell, and one server process: the compiled entry, no tsx.
    const servers = tree.filter((p) => p.args.includes('dist/hosts/cli/bin.js serve'));
    expect(servers.filter((p) => p.args.startsWith(process.execPath) || p.args.startsWith('node '))).toHaveLength(1);
    expect(tree.filter((p) => p.args.includes('tsx'))).toEqual([]);
    const exited = new Promise<void>((resolve) => child?.once('exit', () => resolve()));
    child.kill('SIGTERM');
    await exited;
    await expect.poll(() => tree.filter((p) => alive(p.pid)), { timeout: 10_000 }).toEqual([]);
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
    expect(output).toContain('SIGTERM received, shutting down');
    expect(output).not.toContain('a-long-access-code');
    expect(existsSync(join(ROOT, 'dist/hosts/cli/bin.js'))).toBe(true);
    expect(readdirSync(dataDir).length).toBeGreaterThan(0);
  }, 180_000);
});
