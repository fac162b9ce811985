import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { IMAGE_SESSION_COMMAND, SESSION_IMAGE_NAME } from '../../adapters/runners/local/auto-local.runner.js';
import { templateSource } from '../../plugins/workflow-templates/workflow-templates.js';

/**
 * The image's files, read for their invariants (this machine has a docker client but no daemon
 * and no registry, so the image itself is never built here; scripts/image/build-steps.sh is
 * its build stage, which CI runs on the host).
 */

const text = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
const VERSION = (JSON.parse(text('package.json')) as { version: string }).version;
/** An exact version tag (x.y.z, optionally a variant) or a digest: never `latest`, never a major alone. */
const PINNED_IMAGE = /^[\w./-]+:(\d+\.\d+(\.\d+)?)(-[\w.-]+)?(@sha256:[0-9a-f]{64})?$/;
const SECRET_NAME = /TOKEN|SECRET|PASSWORD|ACCESS_CODE|PRIVATE_KEY|API_KEY/;

interface Instruction {
  keyword: string;
  args: string;
}

/** Dockerfile instructions, continuation lines joined, comments dropped. */
function instructions(dockerfile: string): Instruction[] {
  const joined = dockerfile
    .split('\n')
    .filter((line) => !/^\s*#/.test(line))
    .join('\n')
    .replace(/\\\n/g, ' ');
  return joined
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const [keyword = '', ...rest] = line.split(/\s+/);
      return { keyword: keyword.toUpperCase(), args: rest.join(' ') };
    });
}

describe('Dockerfile', () => {
  const all = instructions(text('Dockerfile'));
  const args = new Map(
    all
      .filter((i) => i.keyword === 'ARG' && i.args.includes('='))
      .map((i) => [i.args.split('=')[0] ?? '', i.args.split('=').slice(1).join('=')]),
  );
  const stages: Instruction[][] = [];
  for (const i of all) {
    if (i.keyword === 'FROM') stages.push([]);
    stages.at(-1)?.push(i);
  }
  const runtime = stages.at(-1) ?? [];
  const runs = runtime.filter((i) => i.keyword === 'RUN').map((i) => i.args);

  it('is multi-stage: the build stage runs scripts/image/build-steps.sh, the runtime copies only its /app', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(stages[0]?.[0]?.args).toMatch(/ AS build$/);
    expect(stages[0]?.some((i) => i.keyword === 'RUN' && i.args === 'sh scripts/image/build-steps.sh /out')).toBe(true);
    expect(runtime.filter((i) => i.keyword === 'COPY').map((i) => i.args)).toEqual(['--from=build /out/app /app']);
  });

  it('pins its base image by exact version, and the agent CLI to the workflow templates’ version', () => {
    for (const stage of stages) {
      const from = (stage[0]?.args ?? '').split(' ')[0] ?? '';
      const image = from.replace(/^\$\{(\w+)\}$/, (_m, name: string) => args.get(name) ?? '');
      expect(image, from).toMatch(PINNED_IMAGE);
    }
    const claude = args.get('CLAUDE_CODE_VERSION') ?? '';
    expect(claude).toMatch(/^\d+\.\d+\.\d+$/);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell variable in the Dockerfile, not JavaScript.
    expect(runs.join('\n')).toContain('"@anthropic-ai/claude-code@${CLAUDE_CODE_VERSION}"');
    for (const template of ['claude-implement.yml', 'claude-plan.yml'] as const) {
      expect(templateSource(template)).toContain(`AI_IMPLEMENT_AGENT_CLI: "@anthropic-ai/claude-code@${claude}"`);
    }
  });

  it('holds what a session needs: git, bubblewrap, the agent CLI and the bundle the runners start', () => {
    const apt = runs.find((r) => r.includes('apt-get install')) ?? '';
    for (const pkg of ['git', 'bubblewrap', 'ca-certificates']) expect(apt.split(/\s+/)).toContain(pkg);
    expect(runs.join('\n')).toContain(`test -f ${IMAGE_SESSION_COMMAND[1]}`);
    expect(IMAGE_SESSION_COMMAND[1]).toBe('/app/dist/session/session.mjs');
  });

  it('runs as a non-root user, serves by default, and keeps its data in the /data volume', () => {
    const users = runtime.filter((i) => i.keyword === 'USER').map((i) => i.args);
    expect(users).toEqual(['10001:10001']);
    const userAt = runtime.findIndex((i) => i.keyword === 'USER');
    expect(runtime.slice(userAt).some((i) => i.keyword === 'RUN')).toBe(false);
    expect(runs.join('\n')).toContain('useradd --uid 10001 --gid 10001');
    expect(runtime.find((i) => i.keyword === 'CMD')?.args).toBe('["ai-implement", "serve"]');
    expect(runtime.find((i) => i.keyword === 'VOLUME')?.args).toBe('["/data"]');
    const env = runtime.find((i) => i.keyword === 'ENV')?.args ?? '';
    expect(env).toContain('DATA_DIR=/data');
    expect(env).toContain('AI_IMPLEMENT_WORKSPACE_DIR=/workspace');
  });

  it('bakes in no secret: no secret-named ARG or ENV, and the build context leaves out .env files and local data', () => {
    for (const i of all.filter((x) => x.keyword === 'ARG' || x.keyword === 'ENV')) expect(i.args).not.toMatch(SECRET_NAME);
    const ignored = text('.dockerignore').split('\n');
    for (const entry of ['.env', '.env.*', '.git', 'node_modules', '.data', 'dist']) expect(ignored).toContain(entry);
  });
});

describe('scripts/image/build-steps.sh', () => {
  it('is executable, valid sh, and builds, packs and checks the session bundle', () => {
    const file = new URL('../../scripts/image/build-steps.sh', import.meta.url);
    expect(statSync(file).mode & 0o111).not.toBe(0);
    execFileSync('sh', ['-n', file.pathname]);
    const script = text('scripts/image/build-steps.sh');
    for (const step of [
      'npm ci',
      'npm run build',
      'npm pack',
      'npm prune --omit=dev',
      'sha256sum -c session.mjs.sha256',
      '--version',
    ])
      expect(script).toContain(step);
  });
});

describe('compose.yaml', () => {
  const compose = parse(text('compose.yaml')) as {
    services: Record<
      string,
      {
        image?: string;
        build?: string;
        environment?: Record<string, string>;
        volumes?: string[];
        depends_on?: Record<string, { condition: string }>;
        healthcheck?: unknown;
      }
    >;
    volumes: Record<string, unknown>;
  };
  const orchestrator = compose.services.orchestrator;
  const postgres = compose.services.postgres;

  it('runs the orchestrator image at this version on PostgreSQL, once the database is healthy', () => {
    expect(orchestrator?.build).toBe('.');
    expect(orchestrator?.image).toBe(`${SESSION_IMAGE_NAME}:${VERSION}`);
    expect(orchestrator?.environment?.STORAGE_URL).toMatch(
      /^postgres:\/\/ai_implement:\$\{POSTGRES_PASSWORD:\?[^}]+\}@postgres:5432\//,
    );
    expect(orchestrator?.depends_on?.postgres?.condition).toBe('service_healthy');
    expect(postgres?.image).toMatch(PINNED_IMAGE);
    expect(postgres?.healthcheck).toBeDefined();
  });

  it('takes every secret from the environment, none written in the file', () => {
    const env = { ...orchestrator?.environment, ...postgres?.environment };
    const secrets = Object.entries(env).filter(([name]) => SECRET_NAME.test(name));
    expect(secrets.length).toBeGreaterThan(5);
    for (const [name, value] of secrets) expect(value, name).toMatch(new RegExp(`^\\$\\{${name}:[?-][^}]*\\}$`));
    for (const required of ['ADMIN_ACCESS_CODE', 'RUNNER_TOKEN_SECRET', 'POSTGRES_PASSWORD'])
      expect(env[required], required).toMatch(/^\$\{\w+:\?/);
  });

  it('keeps DATA_DIR and the database in named volumes', () => {
    expect(orchestrator?.volumes).toEqual(['data:/data']);
    expect(postgres?.volumes).toEqual(['pgdata:/var/lib/postgresql/data']);
    expect(Object.keys(compose.volumes).sort()).toEqual(['data', 'pgdata']);
  });
});
