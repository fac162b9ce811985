import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { builtinModules } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../hosts/package-layout.js';
import { buildSessionBundle } from '../../hosts/session-bundle/build-session-bundle.js';
import { createSessionBundleSource } from '../../hosts/session-bundle/session-bundle-source.js';

const ROOT = PACKAGE_ROOT;
const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'ai-implement-bundle-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('the session bundle', () => {
  const bundle = buildSessionBundle(ROOT);

  it('is the same bytes on every build, and its sha256 is theirs', () => {
    expect(buildSessionBundle(ROOT).bytes.equals(bundle.bytes)).toBe(true);
    expect(bundle.sha256).toBe(createHash('sha256').update(bundle.bytes).digest('hex'));
    // Paths are the checkout's relative ones: no absolute path of this machine is in it.
    expect(bundle.bytes.toString('utf8')).not.toContain(ROOT);
  });

  it('imports nothing but node’s own modules, and embeds the built-in pipelines', () => {
    const text = bundle.bytes.toString('utf8');
    const imports = [...text.matchAll(/^import .* from ["']([^"']+)["'];?$/gm)].map((m) => m[1]);
    expect(imports.length).toBeGreaterThan(0);
    expect(imports.filter((i) => !builtinModules.includes(i?.replace(/^node:/, '') ?? ''))).toEqual([]);
    expect(text).not.toMatch(/\brequire\(["']tsx/);
    for (const name of ['planning.yml', 'implementation.yml', 'gap-analysis.yml']) expect(text).toContain(`"${name}"`);
  });

  it('runs under plain node far from any node_modules: it reads the run’s environment and loads its pipeline', async () => {
    const dir = tempDir();
    const file = join(dir, 'session.mjs');
    writeFileSync(file, bundle.bytes);
    const bare = spawnSync(process.execPath, [file], { env: { PATH: process.env.PATH ?? '' }, cwd: dir, encoding: 'utf8' });
    expect(bare.status).toBe(2);
    expect(bare.stderr).toContain('AI_IMPLEMENT_JOB_ID');

    // A run whose repository does not exist, against an orchestrator that accepts every report:
    // it gets as far as cloning (so the embedded implementation pipeline was found) and reports.
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () =>
        req.method === 'GET'
          ? res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"job_not_found"}')
          : res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true,"instructions":[]}'),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const callbackUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const child = spawn(process.execPath, [file], {
      cwd: dir,
      env: {
        PATH: process.env.PATH ?? '',
        AI_IMPLEMENT_JOB_ID: 'job-1',
        AI_IMPLEMENT_PHASE: 'implementation',
        AI_IMPLEMENT_ISSUE: 'ENG-1',
        AI_IMPLEMENT_CALLBACK_URL: callbackUrl,
        AI_IMPLEMENT_RESULT_TOKEN: 'r-token',
        AI_IMPLEMENT_PROGRESS_TOKEN: 'p-token',
        AI_IMPLEMENT_NONCE: 'n-nonce-0123',
        AI_IMPLEMENT_OWNER: 'acme',
        AI_IMPLEMENT_REPO: 'app',
        AI_IMPLEMENT_FORGE: 'local',
        AI_IMPLEMENT_REPO_URL: join(dir, 'nowhere', 'app.git'),
        AI_IMPLEMENT_SANDBOX: 'off',
        AI_IMPLEMENT_WORKSPACE_DIR: dir,
      },
    });
    let stdout = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    await new Promise<void>((resolve) => server.close(() => resolve()));
    expect(stdout).toContain('step clone failed');
    expect(stdout).not.toContain('not found in plugins/pipelines');
    expect(code, stdout).toBe(1);
  });

  it('runs a custom step of AI_IMPLEMENT_CUSTOM_DIR that imports ai-implement/plugins, with no package beside the bundle', async () => {
    const dir = tempDir();
    const file = join(dir, 'session.mjs');
    writeFileSync(file, bundle.bytes);
    const custom = join(dir, 'custom');
    mkdirSync(join(custom, 'steps'), { recursive: true });
    mkdirSync(join(custom, 'pipelines'), { recursive: true });
    writeFileSync(
      join(custom, 'steps', 'lint.step.mjs'),
      `import { defineStep, z } from 'ai-implement/plugins';
export default defineStep({
  name: 'lint',
  needs: ['shell'],
  config: z.object({ level: z.number().default(1) }),
  async run(_ctx, _services, settings) {
    return { status: 'failed', message: \`custom lint ran at level \${settings.level}\` };
  },
});
`,
    );
    writeFileSync(
      join(custom, 'pipelines', 'implementation.yml'),
      'phase: implementation\nsteps:\n  - { id: lint, module: lint, settings: { level: 2 } }\n',
    );
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () =>
        req.method === 'GET'
          ? res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"job_not_found"}')
          : res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true,"instructions":[]}'),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const child = spawn(process.execPath, [file], {
      cwd: dir,
      env: {
        PATH: process.env.PATH ?? '',
        AI_IMPLEMENT_JOB_ID: 'job-1',
        AI_IMPLEMENT_PHASE: 'implementation',
        AI_IMPLEMENT_ISSUE: 'ENG-1',
        AI_IMPLEMENT_CALLBACK_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        AI_IMPLEMENT_RESULT_TOKEN: 'r-token',
        AI_IMPLEMENT_PROGRESS_TOKEN: 'p-token',
        AI_IMPLEMENT_NONCE: 'n-nonce-0123',
        AI_IMPLEMENT_OWNER: 'acme',
        AI_IMPLEMENT_REPO: 'app',
        AI_IMPLEMENT_FORGE: 'local',
        AI_IMPLEMENT_REPO_URL: join(dir, 'nowhere', 'app.git'),
        AI_IMPLEMENT_SANDBOX: 'off',
        AI_IMPLEMENT_WORKSPACE_DIR: dir,
        AI_IMPLEMENT_CUSTOM_DIR: custom,
      },
    });
    let stdout = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    await new Promise<void>((resolve) => server.close(() => resolve()));
    expect(stdout).not.toContain('Broken customization');
    expect(stdout).toContain('step lint failed');
    expect(stdout).toContain('custom lint ran at level 2');
    expect(code, stdout).toBe(1);
  });
});

describe('the bundle an orchestrator serves', () => {
  it('compiled: the dist/session/session.mjs built with the package', () => {
    const root = tempDir();
    writeFileSync(join(root, 'package.json'), '{}');
    mkdirSync(join(root, 'dist', 'session'), { recursive: true });
    writeFileSync(join(root, 'dist', 'session', 'session.mjs'), 'export {};\n');
    const current = createSessionBundleSource({ root, fromSource: false }).current();
    expect(current?.bytes.toString()).toBe('export {};\n');
    expect(current?.sha256).toBe(createHash('sha256').update('export {};\n').digest('hex'));
  });

  it('none when it is not built and cannot be (no esbuild there): it says so once', () => {
    const root = tempDir();
    writeFileSync(join(root, 'package.json'), '{}');
    const problems: string[] = [];
    const source = createSessionBundleSource({ root, fromSource: false, onProblem: (m) => problems.push(m) });
    expect(source.current()).toBeUndefined();
    expect(source.current()).toBeUndefined();
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^Session bundle not built \(dist\/session\/session\.mjs; npm run build:session\)/);
  });
});
