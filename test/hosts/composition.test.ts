import { describe, expect, it } from 'vitest';
import { createFlySessions } from '../../hosts/composition/fly-sessions.js';
import { forgesFromConfig, githubAuthFrom } from '../../hosts/composition/forges.js';
import { createBuiltInWorkflowTemplates } from '../../hosts/composition/workflow-templates.js';
import { TEMPLATE_VERSION } from '../../plugins/workflow-templates/workflow-templates.js';
import { sampleLaunch } from '../../testing/contracts/runner.contract.js';
import { FAKE_FLY_APP, startFakeFly } from '../../testing/fakes/fly/fake-fly.server.js';

const clock = { now: () => 0 };
const logger = { info() {}, warn() {}, error() {} };
const base = {
  githubApiUrl: 'https://api.github.com',
  dataDir: '/tmp/ai-implement-composition',
  publicUrl: 'http://127.0.0.1:4000',
};

describe('composition root: forges from the settings', () => {
  it('always has the local forge; GitHub only with credentials, a token winning over an App', () => {
    expect(forgesFromConfig({ config: base, clock, logger }).kinds()).toEqual(['local']);
    const withToken = forgesFromConfig({ config: { ...base, githubToken: 't' }, clock, logger });
    expect(withToken.kinds().sort()).toEqual(['github', 'local']);
    expect(withToken.get('github')?.checkoutSource({ owner: 'a', repo: 'b' })).toEqual({ apiUrl: 'https://api.github.com' });
    expect(githubAuthFrom({ githubToken: 't', githubAppId: '1', githubAppPrivateKey: 'k' })).toEqual({ token: 't' });
    expect(githubAuthFrom({ githubAppId: '1', githubAppPrivateKey: 'k' })).toEqual({ appId: '1', privateKey: 'k' });
    expect(githubAuthFrom({ githubAppId: '1' })).toBeUndefined();
  });

  it('gives the local forge’s sessions the bare repository under DATA_DIR/repos to clone', () => {
    const local = forgesFromConfig({ config: base, clock, logger }).get('local');
    expect(local?.checkoutSource({ owner: 'acme', repo: 'widgets' })).toEqual({
      repoUrl: expect.stringMatching(/^\/tmp\/ai-implement-composition\/repos\/acme\/widgets(\.git)?$/),
    });
  });
});

describe('composition root: Fly sessions', () => {
  const settings = (values: Record<string, string>) => ({ value: async (key: string) => values[key] }) as never;

  it('has no runner or secrets without a token or a sessions app, and caches one runner per app', async () => {
    const config = { flyApiUrl: 'http://127.0.0.1:1' };
    expect(
      await createFlySessions({ config, settings: settings({ flySessionsApp: 'a' }), version: '1.2.3' }).runner(),
    ).toBeUndefined();
    const noApp = createFlySessions({ config: { ...config, flyApiToken: 'f' }, settings: settings({}), version: '1.2.3' });
    expect(await noApp.runner()).toBeUndefined();
    expect(await noApp.secrets()).toBeUndefined();
    const fly = createFlySessions({
      config: { ...config, flyApiToken: 'f' },
      settings: settings({ flySessionsApp: 'a' }),
      version: '1.2.3',
    });
    const runner = await fly.runner();
    expect(runner?.kind).toBe('fly-machines');
    expect(await fly.runner()).toBe(runner);
    expect(await fly.target()).toEqual({ app: 'a' });
  });

  it('machines run this package’s image at its version, pushed to the sessions app, and its session bundle', async () => {
    const fake = await startFakeFly();
    try {
      const launched = async (flySessionImage?: string) => {
        const fly = createFlySessions({
          config: { flyApiUrl: fake.url, flyApiToken: fake.token, ...(flySessionImage ? { flySessionImage } : {}) },
          settings: settings({ flySessionsApp: FAKE_FLY_APP }),
          version: '1.2.3',
        });
        (await (await fly.runner())!.launch(sampleLaunch()))._unsafeUnwrap();
        return fake.requests.filter((r) => r.method === 'POST').at(-1)?.body as { config: Record<string, unknown> };
      };
      expect((await launched()).config).toMatchObject({
        image: `registry.fly.io/${FAKE_FLY_APP}:1.2.3`,
        init: { cmd: ['node', '/app/dist/session/session.mjs'] },
      });
      expect((await launched('registry.example/own:7')).config.image).toBe('registry.example/own:7');
    } finally {
      await fake.close();
    }
  });
});

describe('composition root: the built-in workflow templates behind their port', () => {
  it('renders a mapping’s files at the shipped version, and says why a bad URL cannot be rendered', () => {
    const templates = createBuiltInWorkflowTemplates({ sessionBundleSha256: () => 'd'.repeat(64) });
    expect(templates.version).toBe(TEMPLATE_VERSION);
    const target = { workflowFile: 'ai.yml', planningEnabled: true, planningWorkflowFile: 'plan.yml' };
    const files = templates.render({ ...target, orchestratorUrl: 'https://ai.example' })._unsafeUnwrap();
    expect(files.map((f) => f.path)).toEqual([
      '.github/workflows/ai.yml',
      '.github/workflows/plan.yml',
      '.github/workflows/comment-trigger.yml',
    ]);
    expect(templates.render({ ...target, orchestratorUrl: 'ftp://nope' })._unsafeUnwrapErr()).toMatch(/not an http\(s\) URL/);
    expect(files[0]?.content).toContain(`AI_IMPLEMENT_SESSION_SHA256: ${'d'.repeat(64)}`);
    const unbuilt = createBuiltInWorkflowTemplates({ sessionBundleSha256: () => undefined });
    expect(unbuilt.render({ ...target, orchestratorUrl: 'https://ai.example' })._unsafeUnwrapErr()).toBe(
      'Session bundle not built',
    );
  });
});
