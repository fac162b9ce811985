import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createGithubForge } from '../../adapters/forge/github/github.adapter.js';
import { RUN_CAPS_ENV } from '../../adapters/runners/github-actions/workflow-inputs.js';
import { overallTemplateStatus, templateVersion } from '../../core/domain/templates.js';
import {
  readTemplateStatus,
  SYNC_COMMIT_MESSAGE,
  syncWorkflowTemplates,
} from '../../plugins/workflow-templates/template-sync.js';
import {
  renderWorkflowTemplates,
  TEMPLATE_VERSION,
  templateSource,
  WORKFLOW_INPUTS,
} from '../../plugins/workflow-templates/workflow-templates.js';
import { type FakeGithub, startFakeGithub } from '../../testing/fakes/github/fake-github.js';
import { OWNER, REPO, TOKEN, templateFiles } from '../../testing/fakes/github/seed.js';

type Step = {
  id?: string;
  name?: string;
  run?: string;
  uses?: string;
  env?: Record<string, string>;
  with?: Record<string, unknown>;
};
type Workflow = {
  name: string;
  'run-name'?: string;
  on: Record<string, { inputs?: Record<string, { required?: boolean }> } | null>;
  permissions: Record<string, string>;
  jobs: Record<string, { if?: string; steps: Step[]; 'timeout-minutes'?: number }>;
};

const DISPATCHED = ['claude-implement.yml', 'claude-plan.yml'] as const;
const ALL = [...DISPATCHED, 'comment-trigger.yml'] as const;
const workflow = (name: (typeof ALL)[number]) => parse(templateSource(name)) as Workflow;
const steps = (wf: Workflow) => Object.values(wf.jobs)[0]?.steps ?? [];

/**
 * The shipped templates at TEMPLATE_VERSION. A change to a template without a version bump
 * would leave repositories that have the old text looking current to nobody: bump the
 * version, then record the new fingerprints here.
 */
const FINGERPRINTS: Record<string, Record<string, string>> = {
  '1': {
    'claude-implement.yml': 'b549b12c2bab829c7653b1d7a6e3e5b76904bbc8d156cea7efa0c151a95f02ab',
    'claude-plan.yml': 'e5631142f132f751ed26c219436fd0d1f572e5b5f14ea6bf068ad0f8a0b9bd22',
    'comment-trigger.yml': '23088ae89376872c91397a49bacf4106ba09117be22ff488f1f990063a8412fd',
  },
  // Issue 13: the session templates install bubblewrap, the agent's sandbox.
  '2': {
    'claude-implement.yml': '434be60ef0185b91f3c95bdb7ae52917c41ddd074f319e27cd937848c6de7edc',
    'claude-plan.yml': 'e7ed26d96e44d038aae52f150d2b374b95962d6fe3efb1c18c2d1ad687659973',
    'comment-trigger.yml': '82e27edb4e85a72b05a8170c08e4f9a44d741d3535545647f5bd4987c53b5315',
  },
  // Issue 14: the session is the orchestrator's own bundle, pinned by SHA-256; actions pinned by
  // commit; the run credentials leave the event payload for a 0600 file.
  '3': {
    'claude-implement.yml': '774fd34ea1f3a495673c521875d068a68cc3a6f72b857ed8a97b727de2830900',
    'claude-plan.yml': '7afa8414800f54bc6a3653b18cfd7f27174baddab40784fef3986f592b8ede67',
    'comment-trigger.yml': '04af43c33d695d3b04cd603a3770ffc9428d1390e87aab5c8f9d0c98f3ccd710',
  },
  // Issue 17: the run caps and budget reach the session as one JSON input (`run_caps`).
  '4': {
    'claude-implement.yml': 'ef7cb23c0b30ee538af38792eac8af21053bd7f2a5bad9a0c023bbcd2fc806f8',
    'claude-plan.yml': 'aef24a8c0504ce4be58e4aba0037a8e74ec5fdbb975186989f507ca956242b54',
    'comment-trigger.yml': '6dffc2cbc526eb6106ec30cf661e91e8ceeaf2d49b4667ffef87d8359d441153',
  },
};
const PINS = { sessionBundleSha256: 'e'.repeat(64) };

/** Runs a step's script the way a GitHub-hosted runner runs `shell: bash`. */
async function runScript(script: string, env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'wf-step-'));
  const file = join(dir, 'step.sh');
  await writeFile(file, script);
  try {
    return await new Promise((resolve, reject) => {
      const child = spawn('bash', ['--noprofile', '--norc', '-eo', 'pipefail', file], {
        env: { PATH: process.env.PATH ?? '', ...env },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => {
        stdout += d;
      });
      child.stderr.on('data', (d) => {
        stderr += d;
      });
      child.on('error', reject);
      child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('workflow templates', () => {
  it('carry the version marker on their first line and match the fingerprints of that version', () => {
    for (const name of ALL) {
      const text = templateSource(name);
      expect(text.split('\n')[0]).toBe(`# ai-implement-template: ${TEMPLATE_VERSION}`);
      expect(templateVersion(text)).toBe(TEMPLATE_VERSION);
    }
    const now = Object.fromEntries(ALL.map((n) => [n, createHash('sha256').update(templateSource(n)).digest('hex')]));
    expect(now, 'a template changed: bump TEMPLATE_VERSION and record the new fingerprints').toEqual(
      FINGERPRINTS[TEMPLATE_VERSION],
    );
  });

  it.each(DISPATCHED)('%s is a workflow_dispatch workflow whose run-name carries the job id', (name) => {
    const wf = workflow(name);
    expect(Object.keys(wf.on)).toEqual(['workflow_dispatch']);
    const inputs = wf.on.workflow_dispatch?.inputs ?? {};
    const known = Object.values(WORKFLOW_INPUTS) as string[];
    expect(Object.keys(inputs).every((k) => known.includes(k))).toBe(true);
    for (const required of ['job_id', 'phase', 'issue_identifier', 'callback_url', 'result_token', 'progress_token', 'nonce']) {
      expect(inputs[required]?.required, required).toBe(true);
    }
    expect(Object.keys(inputs).length).toBeLessThanOrEqual(10);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub Actions expression, not JavaScript.
    expect(wf['run-name']).toContain('${{ inputs.job_id }}');
    expect(steps(wf).find((s) => s.id === 'session')?.run).toBe('node "$RUNNER_TEMP/ai-implement/dist/session/session.mjs"');
  });

  it.each(DISPATCHED)('%s unpacks every run cap and budget of the run_caps input into the session step', (name) => {
    const wf = workflow(name);
    expect(wf.on.workflow_dispatch?.inputs?.[WORKFLOW_INPUTS.runCaps]?.required).toBe(false);
    const env = steps(wf).find((s) => s.id === 'session')?.env ?? {};
    for (const variable of RUN_CAPS_ENV) {
      expect(env[variable], variable).toBe(`\${{ fromJSON(inputs.run_caps || '{}').${variable} }}`);
    }
  });

  it('the implementation template declares all 10 inputs GitHub allows, the planning one all but branch and pr_number', () => {
    const declared = (name: (typeof DISPATCHED)[number]) => Object.keys(workflow(name).on.workflow_dispatch?.inputs ?? {});
    expect(declared('claude-implement.yml').sort()).toEqual((Object.values(WORKFLOW_INPUTS) as string[]).sort());
    expect(declared('claude-plan.yml').sort()).toEqual(
      (Object.values(WORKFLOW_INPUTS) as string[]).filter((n) => n !== 'branch' && n !== 'pr_number').sort(),
    );
  });

  it.each(ALL)('%s pins every action by commit SHA and persists no credential of a checkout', (name) => {
    for (const step of steps(workflow(name))) {
      if (!step.uses) continue;
      expect(step.uses, `${name}: ${step.name}`).toMatch(/^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/);
      expect(templateSource(name), 'a pinned action names its version').toMatch(
        new RegExp(`uses: ${step.uses.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} # v\\d`),
      );
      if (step.uses.startsWith('actions/checkout@')) expect(step.with?.['persist-credentials']).toBe(false);
    }
  });

  it.each(DISPATCHED)('%s hands no run credential to a step through its environment', (name) => {
    for (const step of steps(workflow(name))) {
      const env = JSON.stringify(step.env ?? {});
      for (const input of ['result_token', 'progress_token', 'nonce']) expect(env, `${name}: ${step.name}`).not.toContain(input);
    }
  });

  it.each(DISPATCHED)(
    '%s masks the token inputs in its first step, moves them to a 0600 file and out of the event payload',
    async (name) => {
      const [first] = steps(workflow(name));
      expect(first?.run).toContain('::add-mask::');
      expect(first?.run).not.toContain('${{');
      const dir = await mkdtemp(join(tmpdir(), 'wf-event-'));
      const event = join(dir, 'event.json');
      const githubEnv = join(dir, 'github-env');
      await writeFile(githubEnv, '');
      const inputs = { job_id: 'job-1', result_token: 'r.sec ret', progress_token: 'p-secret', nonce: 'n-secret' };
      await writeFile(event, JSON.stringify({ inputs }));
      const result = await runScript(first?.run ?? '', { GITHUB_EVENT_PATH: event, GITHUB_ENV: githubEnv, RUNNER_TEMP: dir });
      try {
        expect(result.code, result.stderr).toBe(0);
        expect(result.stdout.trim().split('\n')).toEqual([
          '::add-mask::r.sec ret',
          '::add-mask::p-secret',
          '::add-mask::n-secret',
        ]);
        expect(JSON.parse(await readFile(event, 'utf8'))).toEqual({ inputs: { job_id: 'job-1' } });
        const file = join(dir, 'ai-implement-credentials.json');
        expect(await readFile(githubEnv, 'utf8')).toBe(`AI_IMPLEMENT_CREDENTIALS_FILE=${file}\n`);
        expect((await stat(file)).mode & 0o777).toBe(0o600);
        expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({
          AI_IMPLEMENT_RESULT_TOKEN: 'r.sec ret',
          AI_IMPLEMENT_PROGRESS_TOKEN: 'p-secret',
          AI_IMPLEMENT_NONCE: 'n-secret',
        });
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  );

  it('no run script interpolates an expression (event text reaches scripts through env only)', () => {
    for (const name of ALL)
      for (const step of steps(workflow(name))) expect(step.run ?? '', `${name}: ${step.name}`).not.toContain('${{');
  });

  it('planning reads only; implementation may write contents and pull requests', () => {
    expect(workflow('claude-plan.yml').permissions).toEqual({ contents: 'read' });
    expect(workflow('claude-implement.yml').permissions).toEqual({ contents: 'write', 'pull-requests': 'write' });
  });
});

describe('renderWorkflowTemplates', () => {
  const base = { workflowFile: 'impl.yml', planningWorkflowFile: 'plan.yml', orchestratorUrl: 'https://ai.example.com/' };

  it('places each template at the mapping’s workflow files, with the orchestrator URL in the comment trigger', () => {
    const files = renderWorkflowTemplates({ ...base, planningEnabled: true }, PINS);
    expect(files.map((f) => f.path)).toEqual([
      '.github/workflows/impl.yml',
      '.github/workflows/plan.yml',
      '.github/workflows/comment-trigger.yml',
    ]);
    expect(files[0]?.content).toBe(
      templateSource('claude-implement.yml').replace('__AI_IMPLEMENT_SESSION_SHA256__', 'e'.repeat(64)),
    );
    const trigger = parse(files[2]?.content ?? '') as Workflow;
    expect(steps(trigger)[0]?.env?.ORCHESTRATOR_URL).toBe('https://ai.example.com');
    expect(files[2]?.content).not.toContain('__AI_IMPLEMENT_URL__');
  });

  it('leaves out the planning template when planning is off, or when it shares the implementation file', () => {
    expect(renderWorkflowTemplates({ ...base, planningEnabled: false }, PINS).map((f) => f.path)).not.toContain(
      '.github/workflows/plan.yml',
    );
    const shared = renderWorkflowTemplates({ ...base, planningEnabled: true, planningWorkflowFile: 'impl.yml' }, PINS);
    expect(shared.map((f) => f.path)).toEqual(['.github/workflows/impl.yml', '.github/workflows/comment-trigger.yml']);
  });

  it('refuses an orchestrator URL that is not http(s)', () => {
    expect(() =>
      renderWorkflowTemplates({ ...base, planningEnabled: true, orchestratorUrl: 'javascript:alert(1)' }, PINS),
    ).toThrow(/not an http/);
    expect(() => renderWorkflowTemplates({ ...base, planningEnabled: true }, { sessionBundleSha256: 'abc' })).toThrow(
      /not 64 hex digits/,
    );
  });
});

describe('comment-trigger.yml', () => {
  const opened: Array<{ close(): Promise<void> | void }> = [];
  afterEach(async () => {
    while (opened.length > 0) await opened.pop()?.close();
  });

  async function orchestrator(status = 202) {
    const seen: Array<{ path: string; headers: IncomingHttpHeaders; body: string }> = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        seen.push({ path: req.url ?? '', headers: req.headers, body });
        res
          .writeHead(status, { 'content-type': 'application/json' })
          .end(JSON.stringify(status < 300 ? { ok: true } : { error: 'unauthorized' }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    opened.push({ close: () => new Promise<void>((r) => server.close(() => r())) });
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
  }

  async function github(): Promise<FakeGithub> {
    const fake = await startFakeGithub();
    opened.push(fake);
    fake.addToken(TOKEN);
    fake.addRepo({ owner: OWNER, repo: REPO, files: { 'README.md': 'x' } });
    return fake;
  }

  async function openPr(fake: FakeGithub, branch: string, title: string): Promise<number> {
    fake.addBranch(OWNER, REPO, branch, { [`${branch}.txt`]: 'change' });
    const res = await fetch(`${fake.url}/repos/${OWNER}/${REPO}/pulls`, {
      method: 'POST',
      headers: { authorization: `token ${TOKEN}` },
      body: JSON.stringify({ head: branch, base: 'main', title }),
    });
    return ((await res.json()) as { number: number }).number;
  }

  /** The step as GitHub would run it: its env evaluated for an `issue_comment` event. */
  async function trigger(
    fake: FakeGithub,
    orchestratorUrl: string,
    pr: { number: number; title: string; body?: string },
    secret = 's3cret',
  ) {
    const files = renderWorkflowTemplates(
      { workflowFile: 'i.yml', planningEnabled: false, planningWorkflowFile: '', orchestratorUrl },
      PINS,
    );
    const wf = parse(files.find((f) => f.path.endsWith('comment-trigger.yml'))?.content ?? '') as Workflow;
    const step = steps(wf)[0];
    return runScript(step?.run ?? '', {
      ORCHESTRATOR_URL: step?.env?.ORCHESTRATOR_URL ?? '',
      TRIGGER_SECRET: secret,
      PR_NUMBER: String(pr.number),
      PR_TITLE: pr.title,
      PR_BODY: pr.body ?? '',
      GH_TOKEN: TOKEN,
      GITHUB_API_URL: fake.url,
      GITHUB_REPOSITORY: `${OWNER}/${REPO}`,
    });
  }

  it('runs only for a collaborator’s /ai-implement comment on a pull request', () => {
    const job = workflow('comment-trigger.yml').jobs['gap-fill'];
    expect(Object.keys(workflow('comment-trigger.yml').on)).toEqual(['issue_comment']);
    expect(job?.if).toContain('github.event.issue.pull_request');
    expect(job?.if).toContain("contains(github.event.comment.body, '/ai-implement')");
    expect(job?.if).toContain('author_association');
  });

  it('posts { issueKey, prNumber } with the bearer secret, taking the key from the branch', async () => {
    const [fake, orch] = await Promise.all([github(), orchestrator()]);
    const number = await openPr(fake, 'ai/ENG-7', 'Add widgets (OPS-1 follow-up)');
    const result = await trigger(fake, orch.url, { number, title: 'Add widgets (OPS-1 follow-up)' });
    expect(result.code, result.stderr).toBe(0);
    expect(orch.seen).toHaveLength(1);
    expect(orch.seen[0]?.path).toBe('/trigger/gap-fill');
    expect(orch.seen[0]?.headers.authorization).toBe('Bearer s3cret');
    expect(orch.seen[0]?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(orch.seen[0]?.body ?? '')).toEqual({ issueKey: 'ENG-7', prNumber: number });
  });

  it('falls back to the title, then the body, for the issue key', async () => {
    const [fake, orch] = await Promise.all([github(), orchestrator()]);
    const a = await openPr(fake, 'fix-flake', 'Fix the OPS-12 flake');
    expect((await trigger(fake, orch.url, { number: a, title: 'Fix the OPS-12 flake' })).code).toBe(0);
    const b = await openPr(fake, 'another', 'No key here');
    expect((await trigger(fake, orch.url, { number: b, title: 'No key here', body: 'Closes PLAT-3' })).code).toBe(0);
    expect(orch.seen.map((s) => JSON.parse(s.body))).toEqual([
      { issueKey: 'OPS-12', prNumber: a },
      { issueKey: 'PLAT-3', prNumber: b },
    ]);
  });

  it('fails the job, calling nobody, without the secret or without an issue key; and when the orchestrator refuses', async () => {
    const [fake, orch] = await Promise.all([github(), orchestrator(401)]);
    const n = await openPr(fake, 'plain', 'Nothing');
    const noSecret = await trigger(fake, orch.url, { number: n, title: 'Nothing' }, '');
    expect(noSecret.code).not.toBe(0);
    expect(noSecret.stdout).toContain('::error::The repository secret GAP_FILL_TRIGGER_SECRET is not set');
    const noKey = await trigger(fake, orch.url, { number: n, title: 'Nothing' });
    expect(noKey.code).not.toBe(0);
    expect(noKey.stdout).toContain('::error::No issue key');
    expect(orch.seen).toHaveLength(0);

    const keyed = await openPr(fake, 'ai/ENG-8', 'x');
    const refused = await trigger(fake, orch.url, { number: keyed, title: 'x' });
    expect(refused.code).not.toBe(0);
    expect(orch.seen).toHaveLength(1);
  });
});

describe('sync and staleness through the GitHub forge', () => {
  it('synced templates read back as current; an edit is stale and a deletion missing; a re-sync commits only what changed', async () => {
    const fake = await startFakeGithub();
    try {
      fake.addToken(TOKEN);
      fake.addRepo({ owner: OWNER, repo: REPO, files: { 'README.md': 'x' } });
      const forge = createGithubForge({ baseUrl: fake.url, auth: { token: TOKEN } });
      const repo = { owner: OWNER, repo: REPO };
      const expected = templateFiles('https://ai.example.com');
      const status = async () => (await readTemplateStatus(forge, repo, expected, 'main'))._unsafeUnwrap();
      const puts = () => fake.requests.filter((r) => r.method === 'PUT');

      expect(overallTemplateStatus(await status())).toBe('missing');
      expect((await syncWorkflowTemplates(forge, repo, expected, 'main')).isOk()).toBe(true);
      expect((await status()).map((e) => e.status)).toEqual(['current', 'current', 'current']);
      expect(puts().map((r) => (r.body as { message: string }).message)).toEqual(Array(3).fill(SYNC_COMMIT_MESSAGE));

      const [implement, , trigger] = expected;
      fake.writeFile(OWNER, REPO, implement?.path ?? '', `${implement?.content}\n# a local edit\n`);
      fake.state
        .repo(OWNER, REPO)
        ?.branches.get('main')
        ?.files.delete(trigger?.path ?? '');
      const drifted = await status();
      expect(drifted.map((e) => e.status)).toEqual(['stale', 'current', 'missing']);
      expect(drifted[0]).toMatchObject({ expectedVersion: TEMPLATE_VERSION, actualVersion: TEMPLATE_VERSION });

      expect((await syncWorkflowTemplates(forge, repo, expected, 'main')).isOk()).toBe(true);
      expect(puts().map((r) => r.path.split('/').pop())).toEqual([
        'claude-implement.yml',
        'claude-plan.yml',
        'comment-trigger.yml',
        'claude-implement.yml',
        'comment-trigger.yml',
      ]);
      expect(overallTemplateStatus(await status())).toBe('current');
    } finally {
      await fake.close();
    }
  });

  it('a failed write stops the sync and is returned as the error', async () => {
    const fake = await startFakeGithub();
    try {
      fake.addToken(TOKEN);
      fake.addRepo({ owner: OWNER, repo: REPO });
      fake.failNext({ method: 'PUT', status: 422, body: { message: 'Invalid request.', status: '422' } });
      const forge = createGithubForge({ baseUrl: fake.url, auth: { token: TOKEN } });
      const result = await syncWorkflowTemplates(forge, { owner: OWNER, repo: REPO }, templateFiles(), 'main');
      expect(result._unsafeUnwrapErr()).toEqual({ kind: 'invalid', status: 422, message: 'Invalid request.' });
      expect(fake.requests.filter((r) => r.method === 'PUT')).toHaveLength(1);
    } finally {
      await fake.close();
    }
  });
});
