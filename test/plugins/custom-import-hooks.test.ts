import type * as NodeModule from 'node:module';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadPlugins } from '../../plugins/plugin-loader.js';
import { STEP_SERVICE_KEYS } from '../../plugins/run-context.js';
import { type CustomDir, customDir, stepSource } from './custom-dir.js';

/**
 * Node's loader hooks run on a thread of their own that every later import of the process goes
 * through: registered at start for a custom dir with nothing to import, they made the server's
 * start ~30 % slower (1,320 → 930 ms to /healthz here). They are registered once there is code.
 */
const hooks = vi.hoisted(() => ({ registered: 0 }));
vi.mock('node:module', async (importOriginal) => {
  const actual = await importOriginal<typeof NodeModule>();
  return {
    ...actual,
    register: (...args: Parameters<typeof NodeModule.register>) => {
      hooks.registered++;
      return actual.register(...args);
    },
  };
});

const dirs: CustomDir[] = [];
afterEach(async () => {
  while (dirs.length > 0) await dirs.pop()?.remove();
});
const load = async (files: Record<string, string>) => {
  const d = await customDir(files);
  dirs.push(d);
  return loadPlugins({ customDir: d.path, services: STEP_SERVICE_KEYS });
};

describe('custom imports register loader hooks only when there is code to import', () => {
  it('a custom dir of docs and YAML, or none, registers none; a step module registers them once', async () => {
    await load({ 'README.md': '# mine\n', 'steps/.gitkeep': '' });
    await load({ 'pipelines/notes.txt': 'not code\n' });
    expect(hooks.registered).toBe(0);
    const catalog = await load({ 'steps/lint.step.mjs': stepSource('lint') });
    expect(catalog.steps.find((s) => s.name === 'lint')?.status).toBe('additive');
    await load({ 'steps/format.step.mjs': stepSource('format') });
    expect(hooks.registered).toBe(1);
  });
});
