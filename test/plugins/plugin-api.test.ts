import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import {
  definePipeline,
  defineStep,
  PipelineDeclarationError,
  type Shell,
  type StatusReporter,
  StepDeclarationError,
  z,
} from '../../plugins/index.js';
import { loadPlugins, PluginLoadError } from '../../plugins/plugin-loader.js';
import { STEP_SERVICE_KEYS } from '../../plugins/run-context.js';
import { type CustomDir, customDir, stepSource } from './custom-dir.js';

const run = promisify(execFile);
const TSX_CLI = createRequire(import.meta.url).resolve('tsx/cli');
const FIXTURE = join(process.cwd(), 'test', 'plugins', 'fixtures', 'load-custom-dir.ts');

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});
async function dir(files: Record<string, string> = {}, options: { outside?: boolean } = {}): Promise<CustomDir> {
  const d = await customDir(files, options);
  cleanups.push(() => d.remove());
  return d;
}
const load = (d: CustomDir) => loadPlugins({ customDir: d.path, services: STEP_SERVICE_KEYS });
const loadError = (d: CustomDir) =>
  load(d).then(
    () => expect.unreachable('the load should have failed'),
    (e: unknown) => {
      expect(e).toBeInstanceOf(PluginLoadError);
      return e as PluginLoadError;
    },
  );

describe('ai-implement/plugins', () => {
  it('is the package.json `exports` entry, and resolves by self-reference from inside the package', async () => {
    const pkg = createRequire(import.meta.url)('../../package.json') as { exports: Record<string, Record<string, string>> };
    expect(pkg.exports['./plugins']).toEqual({
      'ai-implement-source': './plugins/index.ts',
      types: './dist/plugins/index.d.ts',
      default: './dist/plugins/index.js',
    });
    const api = await import('ai-implement/plugins');
    expect(api.defineStep).toBe(defineStep);
    expect(api.definePipeline).toBe(definePipeline);
  });

  it('types the built-in needs and leaves a provided one unknown', () => {
    defineStep({
      name: 'typed',
      needs: ['shell', 'status', 'metrics'],
      config: z.object({}),
      async run(_ctx, services) {
        expectTypeOf(services.shell).toEqualTypeOf<Shell>();
        expectTypeOf(services.status).toEqualTypeOf<StatusReporter>();
        expectTypeOf(services.metrics).toEqualTypeOf<unknown>();
        // @ts-expect-error — not among its needs
        void services.agent;
        return { status: 'succeeded' };
      },
    });
  });
});

describe('definePipeline validates as the YAML built-ins are validated', () => {
  const steps = [{ id: 'clone', module: 'clone' }];

  it('returns the definition it declares', () => {
    expect(definePipeline({ name: 'docs-only', phase: 'implementation', steps })).toEqual({
      kind: 'ai-implement-pipeline',
      name: 'docs-only',
      phase: 'implementation',
      steps,
    });
  });

  it.each<[string, unknown, string]>([
    ['a bad name', { name: 'Docs Only', phase: 'planning', steps }, 'name must be lowercase letters, digits and dashes'],
    ['a bad phase', { name: 'x', phase: 'testing', steps }, 'phase: phase must be planning, implementation or gap-analysis'],
    ['no steps', { name: 'x', phase: 'planning', steps: [] }, 'steps: steps must list at least one step'],
    [
      'a step id twice',
      { name: 'x', phase: 'planning', steps: [...steps, { id: 'clone', module: 'plan' }] },
      'step id "clone" appears twice',
    ],
    ['a bad step id', { name: 'x', phase: 'planning', steps: [{ id: 'Clone', module: 'clone' }] }, 'steps.0.id: step id must'],
    ['an unknown field', { name: 'x', phase: 'planning', steps, retries: 3 }, 'Unrecognized key'],
  ])('refuses %s', (_what, declaration, message) => {
    expect(() => definePipeline(declaration as Parameters<typeof definePipeline>[0])).toThrow(PipelineDeclarationError);
    expect(() => definePipeline(declaration as Parameters<typeof definePipeline>[0])).toThrow(message);
  });
});

describe('defineStep checks a declaration made without the types (plain JavaScript)', () => {
  const run = async () => ({ status: 'succeeded' as const });
  const config = z.object({});

  it.each<[string, unknown, string]>([
    ['no config', { name: 'lint', needs: [], run }, 'defineStep "lint": config must be a zod schema'],
    ['a config that is not a schema', { name: 'lint', needs: [], config: { fix: true }, run }, 'config must be a zod schema'],
    ['no needs', { name: 'lint', config, run }, 'defineStep "lint": needs must be an array of container keys'],
    ['no run', { name: 'lint', needs: [], config }, 'defineStep "lint": run must be a function'],
    ['a provider that is not a function', { name: 'lint', needs: [], provides: { x: 1 }, config, run }, 'provides must map'],
    ['no name', { needs: [], config, run }, 'defineStep: name must be a non-empty string'],
    ['nothing', undefined, 'defineStep: name must be a non-empty string'],
  ])('refuses %s', (_what, declaration, message) => {
    const define = () => defineStep(declaration as Parameters<typeof defineStep>[0]);
    expect(define).toThrow(StepDeclarationError);
    expect(define).toThrow(message);
  });

  it('stops the load naming the file, not with a TypeError from inside the loader', async () => {
    const d = await dir({
      'steps/lint.step.mjs':
        "import { defineStep } from 'ai-implement/plugins';\nexport default defineStep({ name: 'lint', needs: [], async run() { return { status: 'succeeded' }; } });\n",
      'steps/handmade.step.mjs':
        "export default { kind: 'ai-implement-step', name: 'handmade', needs: [], provides: {}, run: async () => ({ status: 'succeeded' }) };\n",
      'pipelines/lint-only.yml': 'phase: implementation\nsteps:\n  - { id: lint, module: lint }\n',
    });
    expect((await loadError(d)).problems).toEqual([
      {
        file: 'custom/steps/handmade.step.mjs',
        problem: 'its default export is not a step made with defineStep({ name, needs, config, run })',
      },
      {
        file: 'custom/steps/lint.step.mjs',
        problem: expect.stringMatching(/^failed to load: defineStep "lint": config must be a zod schema/),
      },
      {
        file: 'custom/pipelines/lint-only.yml',
        problem: 'step "lint" uses module "lint", which is neither built in nor in custom/steps/',
      },
    ]);
  });
});

const pipelineSource = (name: string, steps: string) =>
  `import { definePipeline } from 'ai-implement/plugins';\n\nexport default definePipeline({ name: '${name}', phase: 'implementation', steps: ${steps} });\n`;

describe('custom pipelines in TypeScript', () => {
  it('loads a .pipeline.ts as an override or an addition, its settings parsed by its modules', async () => {
    const d = await dir({
      'steps/lint.step.ts': stepSource('lint'),
      'pipelines/implementation.pipeline.ts': pipelineSource(
        'implementation',
        "[{ id: 'clone', module: 'clone' }, { id: 'lint', module: 'lint', settings: { level: 4 } }]",
      ),
      'pipelines/lint-only.pipeline.ts': pipelineSource('lint-only', "[{ id: 'lint', module: 'lint' }]"),
    });
    const catalog = await load(d);
    expect(catalog.pipelines.filter((p) => p.status !== 'built-in')).toMatchObject([
      { name: 'implementation', status: 'override', customPath: 'custom/pipelines/implementation.pipeline.ts' },
      { name: 'lint-only', status: 'additive', customPath: 'custom/pipelines/lint-only.pipeline.ts' },
    ]);
    expect(catalog.settings('implementation', 'lint')).toEqual({ level: 4 });
    expect(catalog.customizations.map((c) => [c.path, c.category, c.status])).toEqual([
      ['custom/pipelines/implementation.pipeline.ts', 'pipeline', 'override'],
      ['custom/pipelines/lint-only.pipeline.ts', 'pipeline', 'additive'],
      ['custom/steps/lint.step.ts', 'step', 'additive'],
    ]);
  });

  it('stops the load naming the file: invalid at definition, an unknown module, a wrong name, a YAML twin', async () => {
    const d = await dir({
      'pipelines/empty.pipeline.ts': pipelineSource('empty', '[]'),
      'pipelines/ghost.pipeline.ts': pipelineSource('ghost', "[{ id: 'x', module: 'nope' }]"),
      'pipelines/misnamed.pipeline.ts': pipelineSource('other', "[{ id: 'clone', module: 'clone' }]"),
      'pipelines/twin.pipeline.ts': pipelineSource('twin', "[{ id: 'clone', module: 'clone' }]"),
      'pipelines/twin.yml': 'phase: implementation\nsteps:\n  - { id: clone, module: clone }\n',
      'pipelines/plain.pipeline.ts': "export default { name: 'plain', phase: 'planning', steps: [] };\n",
    });
    expect((await loadError(d)).problems).toEqual([
      {
        file: 'custom/pipelines/empty.pipeline.ts',
        problem: 'failed to load: definePipeline "empty": steps: steps must list at least one step',
      },
      { file: 'custom/pipelines/misnamed.pipeline.ts', problem: expect.stringContaining('declares name "other"') },
      { file: 'custom/pipelines/plain.pipeline.ts', problem: expect.stringContaining('not a pipeline made with definePipeline') },
      {
        file: 'custom/pipelines/twin.yml',
        problem: 'pipeline "twin" is also defined by custom/pipelines/twin.pipeline.ts; keep one',
      },
      {
        file: 'custom/pipelines/ghost.pipeline.ts',
        problem: 'step "x" uses module "nope", which is neither built in nor in custom/steps/',
      },
    ]);
  });
});

/** What the child printed (`ok`), or its stderr and exit code. */
interface ChildResult {
  cwd: string;
  ok?: { customDir: string; steps: unknown[]; pipelines: unknown[]; ran?: unknown };
  error?: string;
  code?: number | undefined;
}

describe('a CUSTOM_DIR outside the package, loaded as the CLI loads it (Node and tsx, not vitest)', () => {
  const outside = async (files: Record<string, string>) => {
    const d = await dir(files, { outside: true });
    // The operator's working directory: CUSTOM_DIR unset means its ./custom.
    const cwd = join(d.path, '..');
    return (env: Record<string, string> = {}, step = 'shout'): Promise<ChildResult> =>
      run(process.execPath, [TSX_CLI, FIXTURE, step], { cwd, env: { PATH: process.env.PATH ?? '', ...env } }).then(
        ({ stdout }) => ({ ok: JSON.parse(stdout) as ChildResult['ok'], cwd }),
        (error: { stderr?: string; code?: number }) => ({ error: error.stderr ?? '', code: error.code, cwd }),
      );
  };

  it('resolves ai-implement/plugins (and its z) in .ts steps and pipelines, and their relative imports', async () => {
    const start = await outside({
      // No package.json here: tsx alone would compile these as CommonJS, where `import` fails.
      'lib/shout.ts': 'export const shout = (text: string, times: number): string => text.toUpperCase().repeat(times);\n',
      'steps/shout.step.ts': `import { defineStep, z } from 'ai-implement/plugins';
import { shout } from '../lib/shout.ts';

export default defineStep({
  name: 'shout',
  needs: ['status', 'loudness'],
  provides: { loudness: () => 11 },
  config: z.object({ times: z.number().int().default(1) }),
  async run(_ctx, _services, settings) {
    return { status: 'succeeded', output: shout('hey', settings.times) };
  },
});
`,
      'pipelines/shouting.pipeline.ts': pipelineSource(
        'shouting',
        "[{ id: 'clone', module: 'clone' }, { id: 'shout', module: 'shout' }]",
      ),
    });
    const result = await start();
    expect(result).toMatchObject({
      ok: {
        steps: [
          {
            name: 'shout',
            status: 'additive',
            customPath: 'custom/steps/shout.step.ts',
            needs: ['status', 'loudness'],
            provides: ['loudness'],
          },
        ],
        pipelines: [{ name: 'shouting', status: 'additive', customPath: 'custom/pipelines/shouting.pipeline.ts' }],
        ran: { status: 'succeeded', output: 'HEYHEY' },
      },
    });
    expect(result.ok?.customDir).toBe(join(result.cwd, 'custom'));
  });

  it('honours CUSTOM_DIR against the working directory, and a missing directory is no customization', async () => {
    const start = await outside({ 'steps/shout.step.ts': stepSource('shout') });
    const moved = await start({ CUSTOM_DIR: 'elsewhere' });
    expect(moved).toMatchObject({ ok: { steps: [], pipelines: [] } });
    expect(moved.ok?.customDir).toBe(join(moved.cwd, 'elsewhere'));
    expect(await start({ CUSTOM_DIR: './custom' })).toMatchObject({
      ok: { steps: [{ name: 'shout', status: 'additive' }], ran: { status: 'succeeded' } },
    });
  });

  it('stops, naming the file, on a module whose top-level await never settles (no silent exit 0)', async () => {
    const start = await outside({ 'steps/stuck.step.mjs': 'await new Promise(() => {});\nexport default 1;\n' });
    const result = await start({ IMPORT_TIMEOUT_MS: '500' });
    expect(result).toMatchObject({ code: 1 });
    expect(result.error).toContain(
      'custom/steps/stuck.step.mjs: did not finish loading within 0.5 s (a top-level await that never settles?)',
    );
  });

  it('tells the author of a step written as CommonJS that custom files are ES modules', async () => {
    const start = await outside({
      'steps/cjs.step.js': "const { defineStep } = require('ai-implement/plugins');\nmodule.exports = {};\n",
    });
    const result = await start();
    expect(result).toMatchObject({ code: 1 });
    expect(result.error).toMatch(
      /custom\/steps\/cjs\.step\.js: failed to load: .* \(custom files are ES modules: `import` and `export default`, not require or module\.exports\)/,
    );
  });

  it('stops on a broken file, naming it', async () => {
    const start = await outside({ 'steps/shout.step.ts': stepSource('shout', { needs: ['kubernetes'] }) });
    const result = await start();
    expect(result).toMatchObject({ code: 1 });
    expect(result.error).toContain(
      'custom/steps/shout.step.ts: needs "kubernetes", which the container does not provide and no step provides',
    );
  });
});
