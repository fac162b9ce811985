import { spawn } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';

/**
 * Plays one job of a GitHub Actions workflow the way a GitHub-hosted runner runs it, for the
 * steps this machine can run: the job's and each step's `env` evaluated (`inputs.*`,
 * `fromJSON(inputs.* || '{}').*`, `secrets.*`, `github.token`; any other expression is an error), `shell: bash` as
 * `bash --noprofile --norc -eo pipefail`, `$GITHUB_ENV` carried to later steps, the event
 * payload at `$GITHUB_EVENT_PATH`, `$RUNNER_TEMP`, `::add-mask::` collected, and after the
 * first failing step only the steps whose `if` asks for it (`failure()`, `always()`,
 * `steps.<id>.outcome == '…'`, joined by `&&`; anything else is an error).
 */

export interface WorkflowStep {
  id?: string;
  name?: string;
  if?: string;
  uses?: string;
  run?: string;
  env?: Record<string, string>;
  with?: Record<string, unknown>;
}

export interface Workflow {
  permissions?: Record<string, string>;
  defaults?: { run?: { shell?: string } };
  jobs: Record<string, { env?: Record<string, string>; steps: WorkflowStep[] }>;
}

export interface PlayedStep {
  id: string;
  /** `skipped` for a step the caller left out (an action, an install that needs the internet). */
  outcome: 'success' | 'failure' | 'skipped';
  code?: number;
  output: string;
}

export interface JobPlay {
  steps: PlayedStep[];
  /** Values the steps masked with `::add-mask::`. */
  masks: string[];
  /** The event payload as it was when the job ended. */
  eventAfter: string;
  /** `$RUNNER_TEMP` of the job. */
  runnerTemp: string;
}

export interface PlayOptions {
  workflow: Workflow;
  job: string;
  inputs: Record<string, string>;
  secrets: Record<string, string>;
  githubToken: string;
  /** A fresh directory: the runner's temp dir, workspace and event payload go under it. */
  dir: string;
  /** Steps (by id) not to run: they are recorded as skipped. Steps with `uses` are always skipped. */
  skip: readonly string[];
  /** The runner's own variables beyond the standard ones (`GITHUB_REPOSITORY`, …). */
  runnerEnv?: Record<string, string>;
  /** Extra variables for one step, by id (what a repository's variables would add). */
  stepEnv?: Record<string, Record<string, string>>;
}

export function parseWorkflow(text: string): Workflow {
  return parse(text) as Workflow;
}

export async function playJob(options: PlayOptions): Promise<JobPlay> {
  const { workflow, dir } = options;
  const job = workflow.jobs[options.job];
  if (!job) throw new Error(`no job ${options.job}`);
  const shell = workflow.defaults?.run?.shell;
  if (shell !== 'bash') throw new Error(`the player runs shell: bash only (the workflow says ${shell ?? 'nothing'})`);
  const temp = join(dir, 'runner-temp');
  const workspace = join(dir, 'workspace');
  const workflowDir = join(temp, '_github_workflow');
  await mkdir(workflowDir, { recursive: true });
  await mkdir(workspace, { recursive: true });
  const eventPath = join(workflowDir, 'event.json');
  await writeFile(eventPath, JSON.stringify({ inputs: options.inputs }));
  const githubEnvFile = join(workflowDir, 'github-env');

  const evaluate = (value: string) => {
    const done = value
      // `fromJSON(inputs.x || '{}').KEY`: one member of a JSON input, blank when absent.
      .replace(
        /\$\{\{\s*fromJSON\(inputs\.([A-Za-z_][\w-]*) \|\| '\{\}'\)\.([A-Za-z_]\w*)\s*\}\}/g,
        (_m, input: string, key: string) => {
          const member = (JSON.parse(options.inputs[input] || '{}') as Record<string, unknown>)[key];
          return member === undefined || member === null ? '' : String(member);
        },
      )
      .replace(/\$\{\{\s*([a-z]+)\.([A-Za-z_][\w-]*)\s*\}\}/g, (_m, context: string, name: string) => {
        if (context === 'inputs') return options.inputs[name] ?? '';
        if (context === 'secrets') return options.secrets[name] ?? '';
        if (context === 'github' && name === 'token') return options.githubToken;
        throw new Error(`the player cannot evaluate \${{ ${context}.${name} }}`);
      });
    if (done.includes('${{')) throw new Error(`the player cannot evaluate ${value}`);
    return done;
  };
  const evaluated = (env: Record<string, string> | undefined) =>
    Object.fromEntries(Object.entries(env ?? {}).map(([k, v]) => [k, evaluate(String(v))]));

  const carried: Record<string, string> = {};
  const masks: string[] = [];
  const played: PlayedStep[] = [];
  let failed = false;
  for (const [index, step] of job.steps.entries()) {
    const id = step.id ?? `step-${index}`;
    const wanted = step.if === undefined ? !failed : condition(step.if, failed, played);
    if (!wanted || step.uses || options.skip.includes(id)) {
      played.push({ id, outcome: 'skipped', output: '' });
      continue;
    }
    if (!step.run) throw new Error(`step ${id} has neither run nor uses`);
    await writeFile(githubEnvFile, '');
    const env = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? dir,
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      RUNNER_TEMP: temp,
      GITHUB_WORKSPACE: workspace,
      GITHUB_EVENT_PATH: eventPath,
      GITHUB_ENV: githubEnvFile,
      ...options.runnerEnv,
      ...evaluated(job.env),
      ...carried,
      ...evaluated(step.env),
      ...options.stepEnv?.[id],
    };
    const scriptFile = join(temp, `${id}.sh`);
    await writeFile(scriptFile, step.run);
    const { code, output } = await run(['bash', '--noprofile', '--norc', '-eo', 'pipefail', scriptFile], env, workspace);
    for (const line of output.split('\n')) {
      const mask = /^::add-mask::(.*)$/.exec(line)?.[1];
      if (mask) masks.push(mask);
    }
    Object.assign(carried, parseGithubEnv(await readFile(githubEnvFile, 'utf8')));
    played.push({ id, outcome: code === 0 ? 'success' : 'failure', code, output });
    failed ||= code !== 0;
  }
  return { steps: played, masks, eventAfter: await readFile(eventPath, 'utf8'), runnerTemp: temp };
}

/** A step's `if`, in the few forms the templates use. */
function condition(expression: string, failed: boolean, played: readonly PlayedStep[]): boolean {
  return expression.split('&&').every((term) => {
    const t = term.trim();
    if (t === 'failure()') return failed;
    if (t === 'success()') return !failed;
    if (t === 'always()') return true;
    const outcome = /^steps\.([\w-]+)\.outcome == '(\w+)'$/.exec(t);
    if (outcome) return played.find((s) => s.id === outcome[1])?.outcome === outcome[2];
    throw new Error(`the player cannot evaluate if: ${expression}`);
  });
}

/** `NAME=value` lines and `NAME<<DELIMITER` blocks, as the runner reads `$GITHUB_ENV`. */
function parseGithubEnv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const block = /^([^=<]+)<<(.+)$/.exec(line);
    if (block) {
      const body: string[] = [];
      for (i++; i < lines.length && lines[i] !== block[2]; i++) body.push(lines[i] ?? '');
      out[block[1] ?? ''] = body.join('\n');
    } else if (line.includes('=')) {
      out[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
    }
  }
  return out;
}

function run(argv: string[], env: Record<string, string>, cwd: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0] ?? 'bash', argv.slice(1), { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => {
      output += d;
    });
    child.stderr.on('data', (d) => {
      output += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, output }));
  });
}
