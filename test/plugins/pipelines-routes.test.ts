import { asValue } from 'awilix';
import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, jsonOf, startHarness } from '../hosts/harness.js';
import { type CustomDir, customDir, stepSource } from './custom-dir.js';

const open: { h?: Harness; d: CustomDir }[] = [];
afterEach(async () => {
  while (open.length > 0) {
    const o = open.pop();
    await o?.h?.close();
    await o?.d.remove();
  }
});

async function boot(files: () => Record<string, string>) {
  const d = await customDir(files());
  const entry: { h?: Harness; d: CustomDir } = { d };
  open.push(entry);
  entry.h = await startHarness('memory', undefined, { customDir: asValue(d.path) });
  return { h: entry.h, d, token: await entry.h.login() };
}

describe('GET /api/pipelines-steps and GET /api/customizations', () => {
  it('are admin endpoints', async () => {
    const { h } = await boot(() => ({}));
    expect((await h.call('GET', '/api/pipelines-steps')).status).toBe(401);
    expect((await h.call('GET', '/api/customizations')).status).toBe(401);
  });

  it('list the pipelines with their steps and module ids, and every module with its status', async () => {
    const { h, token } = await boot(() => ({
      'steps/open-pr.step.ts': stepSource('open-pr', { needs: ['forge'] }),
      'steps/notify.step.ts': stepSource('notify', { needs: ['status'] }),
      'pipelines/implementation.yml':
        'phase: implementation\nsteps:\n  - { id: clone, module: clone }\n  - { id: open-pr, module: open-pr }\n  - { id: notify, module: notify, settings: { level: 2 } }\n',
    }));
    const body = await jsonOf(await h.call('GET', '/api/pipelines-steps', { token }));
    const pipelines = body.pipelines as { name: string; status: string; steps: unknown[] }[];
    expect(pipelines.map((p) => [p.name, p.status])).toEqual([
      ['gap-analysis', 'built-in'],
      ['implementation', 'override'],
      ['planning', 'built-in'],
    ]);
    expect(pipelines.find((p) => p.name === 'implementation')).toEqual({
      name: 'implementation',
      phase: 'implementation',
      status: 'override',
      builtInPath: 'plugins/pipelines/implementation.yml',
      customPath: 'custom/pipelines/implementation.yml',
      steps: [
        { id: 'clone', module: 'clone' },
        { id: 'open-pr', module: 'open-pr' },
        { id: 'notify', module: 'notify', settings: { level: 2 } },
      ],
    });
    const steps = body.steps as { name: string; status: string; builtInPath: string | null; customPath: string | null }[];
    expect(steps.find((s) => s.name === 'open-pr')).toMatchObject({
      status: 'override',
      builtInPath: 'plugins/steps/open-pr.step.ts',
      customPath: 'custom/steps/open-pr.step.ts',
    });
    expect(steps.find((s) => s.name === 'notify')).toMatchObject({
      status: 'additive',
      builtInPath: null,
      customPath: 'custom/steps/notify.step.ts',
    });
    expect(steps.find((s) => s.name === 'verify')).toMatchObject({
      status: 'built-in',
      builtInPath: 'plugins/steps/verify.step.ts',
      customPath: null,
    });
    expect(steps).toHaveLength(10);
  });

  it('list every file under custom/, also one added after boot', async () => {
    const { h, d, token } = await boot(() => ({
      'README.md': '# ours\n',
      'pipelines/.gitkeep': '',
      'steps/verify.step.ts': stepSource('verify', { needs: ['shell'] }),
    }));
    await d.write('providers/bedrock.json', '{"region":"eu-west-1"}\n');
    const { customizations } = (await jsonOf(await h.call('GET', '/api/customizations', { token }))) as {
      customizations: {
        path: string;
        category: string;
        status: string;
        upstreamPath: string | null;
        size: number;
        modifiedAt: string;
      }[];
    };
    expect(customizations.map((c) => [c.path, c.category, c.status, c.upstreamPath])).toEqual([
      ['custom/README.md', 'other', '—', null],
      ['custom/pipelines/.gitkeep', 'other', '—', null],
      ['custom/providers/bedrock.json', 'provider', 'additive', null],
      ['custom/steps/verify.step.ts', 'step', 'override', 'plugins/steps/verify.step.ts'],
    ]);
    expect(customizations[0]?.size).toBe(7);
    expect(new Date(customizations[0]?.modifiedAt ?? '').getTime()).toBeGreaterThan(Date.now() - 60_000);
  });

  it('a broken custom file stops the orchestrator at boot, naming the file and the problem', async () => {
    const d = await customDir({ 'pipelines/planning.yml': 'phase: planning\nsteps:\n  - { id: x, module: does-not-exist }\n' });
    open.push({ d });
    const started = startHarness('memory', undefined, { customDir: asValue(d.path) });
    await expect(started).rejects.toThrow(/custom\/pipelines\/planning\.yml: step "x" uses module "does-not-exist"/);
  });
});
