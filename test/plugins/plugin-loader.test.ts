import { afterEach, describe, expect, it } from 'vitest';
import { loadPlugins, PluginLoadError } from '../../plugins/plugin-loader.js';
import { STEP_SERVICE_KEYS } from '../../plugins/run-context.js';
import { type CustomDir, customDir, stepSource } from './custom-dir.js';

const BUILT_IN_STEPS = ['clone', 'commit-push', 'implement', 'open-pr', 'plan', 'post-push-review', 'report', 'setup', 'verify'];
const dirs: CustomDir[] = [];
afterEach(async () => {
  while (dirs.length > 0) await dirs.pop()?.remove();
});
async function dir(files: Record<string, string> = {}) {
  const d = await customDir(files);
  dirs.push(d);
  return d;
}
const load = (d: CustomDir) => loadPlugins({ customDir: d.path, services: STEP_SERVICE_KEYS });

async function loadError(d: CustomDir): Promise<PluginLoadError> {
  const error = await load(d).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PluginLoadError);
  return error as PluginLoadError;
}

describe('built-in pipelines and steps', () => {
  it('loads the three pipelines and nine step modules, all built-in', async () => {
    const catalog = await load(await dir({ 'README.md': '# mine\n', 'steps/.gitkeep': '' }));
    expect(catalog.pipelines.map((p) => [p.name, p.phase, p.status])).toEqual([
      ['gap-analysis', 'gap-analysis', 'built-in'],
      ['implementation', 'implementation', 'built-in'],
      ['planning', 'planning', 'built-in'],
    ]);
    expect(catalog.pipeline('implementation')?.steps.map((s) => s.module)).toEqual([
      'clone',
      'setup',
      'implement',
      'verify',
      'commit-push',
      'open-pr',
      'post-push-review',
      'report',
    ]);
    expect(catalog.steps.map((s) => s.name)).toEqual(BUILT_IN_STEPS);
    for (const s of catalog.steps) {
      expect(s).toMatchObject({ status: 'built-in', builtInPath: `plugins/steps/${s.name}.step.ts`, customPath: null });
    }
    expect(catalog.customizations.map((c) => [c.path, c.category, c.status, c.upstreamPath])).toEqual([
      ['custom/README.md', 'other', '—', null],
      ['custom/steps/.gitkeep', 'other', '—', null],
    ]);
  });

  it('parses each step settings at load, defaults applied', async () => {
    const catalog = await load(await dir());
    expect(catalog.settings('implementation', 'verify')).toEqual({ script: 'verify', fixWithAgent: true });
    expect(catalog.settings('implementation', 'post-push-review')).toEqual({ enabled: true });
  });

  it('refuses a step whose needs the container lacks, even a built-in', async () => {
    const error = await loadPlugins({ customDir: (await dir()).path, services: ['shell', 'status'] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PluginLoadError);
    expect((error as Error).message).toContain('plugins/steps/plan.step.ts: needs "agent", which the container does not provide');
  });
});

describe('custom steps and pipelines resolved by name', () => {
  it('a custom step with a built-in name overrides it everywhere', async () => {
    const d = await dir();
    await d.write('steps/verify.step.ts', stepSource('verify', { needs: ['shell'] }));
    const catalog = await load(d);
    expect(catalog.steps.find((s) => s.name === 'verify')).toEqual({
      name: 'verify',
      status: 'override',
      builtInPath: 'plugins/steps/verify.step.ts',
      customPath: 'custom/steps/verify.step.ts',
      needs: ['shell'],
      provides: [],
    });
    // The pipeline's settings now parse with the custom module's schema.
    expect(catalog.settings('implementation', 'verify')).toEqual({ level: 1 });
    expect(catalog.customizations).toMatchObject([
      { path: 'custom/steps/verify.step.ts', category: 'step', status: 'override', upstreamPath: 'plugins/steps/verify.step.ts' },
    ]);
    expect(catalog.customizations[0]?.size).toBeGreaterThan(0);
    expect(Date.parse(catalog.customizations[0]?.modifiedAt ?? '')).not.toBeNaN();
  });

  it('a new step name is additive, and a custom pipeline overriding a built-in may use it', async () => {
    const d = await dir();
    await d.write('steps/lint.step.ts', stepSource('lint', { needs: ['shell'] }));
    await d.write(
      'pipelines/implementation.yml',
      'phase: implementation\nsteps:\n  - id: clone\n    module: clone\n  - id: lint\n    module: lint\n    settings: { level: 3 }\n',
    );
    await d.write('pipelines/docs-only.yml', 'name: docs-only\nphase: implementation\nsteps:\n  - { id: lint, module: lint }\n');
    const catalog = await load(d);
    expect(catalog.steps.find((s) => s.name === 'lint')).toMatchObject({
      status: 'additive',
      builtInPath: null,
      customPath: 'custom/steps/lint.step.ts',
    });
    expect(catalog.pipelines.find((p) => p.name === 'implementation')).toMatchObject({
      status: 'override',
      builtInPath: 'plugins/pipelines/implementation.yml',
      customPath: 'custom/pipelines/implementation.yml',
      steps: [
        { id: 'clone', module: 'clone' },
        { id: 'lint', module: 'lint', settings: { level: 3 } },
      ],
    });
    expect(catalog.pipelines.find((p) => p.name === 'docs-only')).toMatchObject({ status: 'additive', builtInPath: null });
    expect(catalog.settings('implementation', 'lint')).toEqual({ level: 3 });
    expect(catalog.customizations.map((c) => [c.path, c.category, c.status, c.upstreamPath])).toEqual([
      ['custom/pipelines/docs-only.yml', 'pipeline', 'additive', null],
      ['custom/pipelines/implementation.yml', 'pipeline', 'override', 'plugins/pipelines/implementation.yml'],
      ['custom/steps/lint.step.ts', 'step', 'additive', null],
    ]);
    const ran = await catalog.step('lint')?.run({} as never, {}, { level: 3 });
    expect(ran).toEqual({ status: 'succeeded', output: { level: 3 } });
  });
});

describe('a broken custom file stops the load, naming the file and the problem', () => {
  it('invalid YAML', async () => {
    const d = await dir({ 'pipelines/planning.yml': 'phase: planning\nsteps: [ {id: clone, module: clone\n' });
    const error = await loadError(d);
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]?.file).toBe('custom/pipelines/planning.yml');
    expect(error.message).toMatch(/custom\/pipelines\/planning\.yml: invalid YAML/);
  });

  it('a pipeline naming a module that does not exist', async () => {
    const d = await dir({
      'pipelines/planning.yml': 'phase: planning\nsteps:\n  - { id: clone, module: clone }\n  - { id: x, module: nope }\n',
    });
    expect((await loadError(d)).message).toContain(
      'custom/pipelines/planning.yml: step "x" uses module "nope", which is neither built in nor in custom/steps/',
    );
  });

  it('a pipeline naming a module whose file is not named as a step file says which file and how to name it', async () => {
    const d = await dir({
      'steps/lint.ts': stepSource('lint'),
      'steps/Format.step.ts': stepSource('format'),
      'pipelines/implementation.yml':
        'phase: implementation\nsteps:\n  - { id: lint, module: lint }\n  - { id: format, module: format }\n  - { id: x, module: nope }\n',
    });
    expect((await loadError(d)).problems.map((p) => p.problem)).toEqual([
      'step "lint" uses module "lint", which is neither built in nor in custom/steps/ (custom/steps/lint.ts is not loaded: a step file is named lint.step.ts, .mts, .js or .mjs)',
      'step "format" uses module "format", which is neither built in nor in custom/steps/ (custom/steps/Format.step.ts is not loaded: a step file is named format.step.ts, .mts, .js or .mjs)',
      'step "x" uses module "nope", which is neither built in nor in custom/steps/',
    ]);
  });

  it('a pipeline with a bad phase, or duplicate step ids, or a name that is not its file name', async () => {
    const d = await dir({
      'pipelines/a.yml': 'phase: testing\nsteps:\n  - { id: clone, module: clone }\n',
      'pipelines/b.yml': 'phase: planning\nsteps:\n  - { id: clone, module: clone }\n  - { id: clone, module: plan }\n',
      'pipelines/c.yml': 'name: d\nphase: planning\nsteps:\n  - { id: clone, module: clone }\n',
    });
    const error = await loadError(d);
    expect(error.problems.map((p) => p.file)).toEqual([
      'custom/pipelines/a.yml',
      'custom/pipelines/b.yml',
      'custom/pipelines/c.yml',
    ]);
    expect(error.problems[0]?.problem).toContain('phase must be planning, implementation or gap-analysis');
    expect(error.problems[1]?.problem).toBe('step id "clone" appears twice');
    expect(error.problems[2]?.problem).toContain('declares name "d"');
  });

  it('settings the module schema refuses', async () => {
    const d = await dir({
      'pipelines/implementation.yml':
        'phase: implementation\nsteps:\n  - { id: verify, module: verify, settings: { script: 5 } }\n',
    });
    expect((await loadError(d)).message).toMatch(
      /custom\/pipelines\/implementation\.yml: settings of step "verify" \(module verify\) are invalid: script:/,
    );
  });

  it('a step needing a service the container does not provide', async () => {
    const d = await dir();
    await d.write('steps/deploy.step.ts', stepSource('deploy', { needs: ['shell', 'kubernetes'] }));
    expect((await loadError(d)).message).toContain(
      'custom/steps/deploy.step.ts: needs "kubernetes", which the container does not provide',
    );
  });

  it('a step module that throws on import, exports no step, or names itself differently', async () => {
    const d = await dir();
    await d.write('steps/boom.step.ts', "throw new Error('kaboom at import');\nexport default 1;\n");
    await d.write('steps/plain.step.ts', 'export default { name: "plain", run() {} };\n');
    await d.write('steps/misnamed.step.ts', stepSource('other-name'));
    const error = await loadError(d);
    expect(error.problems).toEqual([
      { file: 'custom/steps/boom.step.ts', problem: 'failed to load: kaboom at import' },
      { file: 'custom/steps/misnamed.step.ts', problem: expect.stringContaining('declares name "other-name"') },
      { file: 'custom/steps/plain.step.ts', problem: expect.stringContaining('not a step made with defineStep') },
    ]);
  });

  it('a step exported under a name instead of as the default says so', async () => {
    const d = await dir();
    await d.write(
      'steps/named.step.ts',
      stepSource('named').replace('export default defineStep', 'export const lint = defineStep'),
    );
    await d.write('steps/empty.step.ts', 'export const nothing = 1;\n');
    expect((await loadError(d)).problems).toEqual([
      {
        file: 'custom/steps/empty.step.ts',
        problem: 'its default export is not a step made with defineStep({ name, needs, config, run })',
      },
      {
        file: 'custom/steps/named.step.ts',
        problem:
          'its default export is not a step made with defineStep({ name, needs, config, run }) (it exports one as "lint": make it `export default`)',
      },
    ]);
  });

  it('never half-loads: a good override beside a broken file fails as a whole', async () => {
    const d = await dir();
    await d.write('steps/verify.step.ts', stepSource('verify'));
    await d.write('pipelines/planning.yml', 'phase: planning\nsteps: []\n');
    const error = await loadError(d);
    expect(error.problems).toEqual([
      { file: 'custom/pipelines/planning.yml', problem: 'steps: steps must list at least one step' },
    ]);
  });
});
