import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../hosts/config.js';
import { createOrchestrator } from '../../hosts/container.js';
import { loadPlugins, PluginLoadError } from '../../plugins/plugin-loader.js';
import { STEP_SERVICE_KEYS } from '../../plugins/run-context.js';
import { type CustomDir, customDir, stepSource } from './custom-dir.js';

const dirs: CustomDir[] = [];
afterEach(async () => {
  while (dirs.length > 0) await dirs.pop()?.remove();
});
async function dir(files: Record<string, string>) {
  const d = await customDir(files);
  dirs.push(d);
  return d;
}
const load = (d: CustomDir) => loadPlugins({ customDir: d.path, services: STEP_SERVICE_KEYS });
async function problemsOf(d: CustomDir) {
  const error = await load(d).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(PluginLoadError);
  return (error as PluginLoadError).problems;
}

describe('a step needs what the container or another step provides', () => {
  it("satisfies a need with another step's provides, and lists who provides what", async () => {
    const d = await dir({
      'steps/metrics.step.ts': stepSource('metrics', { provides: '{ meter: ({ clock }) => ({ at: clock.now() }) }' }),
      'steps/lint.step.ts': stepSource('lint', { needs: ['shell', 'meter'] }),
    });
    const catalog = await load(d);
    expect(catalog.steps.find((s) => s.name === 'lint')).toMatchObject({ needs: ['shell', 'meter'], provides: [] });
    expect(catalog.steps.find((s) => s.name === 'metrics')).toMatchObject({ needs: [], provides: ['meter'] });
    expect(catalog.providers.map((p) => [p.key, p.step])).toEqual([['meter', 'metrics']]);
    expect(catalog.providers[0]?.factory({ clock: { now: () => 42 } } as never)).toEqual({ at: 42 });
  });

  it('refuses an unmet need, naming the step and the key', async () => {
    const d = await dir({ 'steps/lint.step.ts': stepSource('lint', { needs: ['shell', 'meter'] }) });
    expect(await problemsOf(d)).toEqual([
      {
        file: 'custom/steps/lint.step.ts',
        problem:
          'needs "meter", which the container does not provide and no step provides (available: agent, forge, shell, status, clock)',
      },
    ]);
  });

  it('refuses a provided key that shadows a built-in, another step, or is no identifier', async () => {
    const d = await dir({
      'steps/a.step.ts': stepSource('a', { provides: '{ meter: () => 1, shell: () => 2 }' }),
      'steps/b.step.ts': stepSource('b', { provides: "{ meter: () => 3, 'my-key': () => 4 }" }),
    });
    expect(await problemsOf(d)).toEqual([
      { file: 'custom/steps/a.step.ts', problem: 'provides "shell", which is a built-in service and cannot be replaced' },
      { file: 'custom/steps/b.step.ts', problem: 'provides "meter", which custom/steps/a.step.ts already provides' },
      {
        file: 'custom/steps/b.step.ts',
        problem: 'provides "my-key", which is not a valid service name (letters, digits, _ and $)',
      },
    ]);
  });
});

describe('boot reads CUSTOM_DIR', () => {
  const boot = (d: CustomDir) =>
    createOrchestrator(loadConfig({ CUSTOM_DIR: d.path, STORAGE_URL: 'memory:', DATA_DIR: d.path })._unsafeUnwrap());

  it('loads the custom steps found there', async () => {
    const orchestrator = await boot(await dir({ 'steps/lint.step.ts': stepSource('lint', { needs: ['shell'] }) }));
    try {
      expect(orchestrator.cradle.pluginCatalog.steps.find((s) => s.name === 'lint')).toMatchObject({
        status: 'additive',
        customPath: 'custom/steps/lint.step.ts',
      });
    } finally {
      await orchestrator.dispose();
    }
  });

  it('fails on an unmet need with a message naming the step and the key', async () => {
    const d = await dir({ 'steps/deploy.step.ts': stepSource('deploy', { needs: ['kubernetes'] }) });
    await expect(boot(d)).rejects.toThrow(
      /Broken customization — nothing was loaded:\n {2}custom\/steps\/deploy\.step\.ts: needs "kubernetes", which the container does not provide/,
    );
  });
});
