import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { err, ok, type Result } from 'neverthrow';
import { parseCommandTemplate } from '../../adapters/agent/agent-command.js';
import { type RunCaps, resolveRunCaps } from '../../core/domain/caps.js';
import { type EgressRule, parseEgressAllow } from '../../core/domain/egress.js';
import type { ForgeKind, Phase } from '../../core/domain/model.js';
import { PACKAGE_ROOT } from '../package-layout.js';

/**
 * Not `./custom` of the working directory, as the orchestrator's CUSTOM_DIR is: a session on
 * GitHub Actions runs in the target repository's checkout, and code from there must not run
 * beside the run's credentials. Only the operator says where custom steps are.
 */
export const PACKAGE_CUSTOM_DIR = join(PACKAGE_ROOT, 'custom/');

/**
 * What `ai-implement session` reads from its environment. The run's own variables are the
 * ones the orchestrator puts in every run (hosts/services/run-environment.ts) and the workflow
 * templates pass on (`AI_IMPLEMENT_JOB_ID`, `…_PHASE`, `…_ISSUE`, `…_CALLBACK_URL`,
 * `…_RESULT_TOKEN`, `…_PROGRESS_TOKEN`, `…_NONCE`, `…_PR_NUMBER`, `…_BRANCH`, the caps
 * `…_MAX_TURNS`, `…_MAX_ITERATIONS`, `…_MAX_JOB_MINUTES`), plus where the code lives:
 *
 * | variable | meaning | default |
 * |---|---|---|
 * | `AI_IMPLEMENT_OWNER`, `AI_IMPLEMENT_REPO` | the repository | `GITHUB_REPOSITORY` on Actions |
 * | `AI_IMPLEMENT_FORGE` | `github` or `local` | `github` |
 * | `AI_IMPLEMENT_REPO_URL` | what to clone (the bare repository's path for `local`) | `{server}/{owner}/{repo}.git` |
 * | `AI_IMPLEMENT_DEFAULT_BRANCH` | the PR's base | `GITHUB_REF_NAME`, else `main` |
 * | `AI_IMPLEMENT_BRANCH` | the working branch | `ai-implement/{issue}` |
 * | `AI_IMPLEMENT_GITHUB_API_URL` | GitHub's API | `GITHUB_API_URL`, else api.github.com |
 * | `AI_IMPLEMENT_AGENT_COMMAND` | the agent's argv template (JSON array or words) | `claude -p …` |
 * | `AI_IMPLEMENT_PIPELINE` | the pipeline to run | the phase's name |
 * | `AI_IMPLEMENT_CUSTOM_DIR` | custom pipelines and steps (a local session gets the orchestrator's CUSTOM_DIR) | this package's `custom/` |
 * | `AI_IMPLEMENT_WORKSPACE_DIR` | where the run's fresh workspace is made | the OS temp dir |
 * | `AI_IMPLEMENT_MINUTE_MS` | the length of a "minute" of `maxJobMinutes` (tests) | 60000 |
 * | `AI_IMPLEMENT_MODEL` | the issue's model override; beats WORKFLOW.md's and PLANNING.md's model | none |
 * | `AI_IMPLEMENT_PROMPT_TEMPLATE` | the issue's implementation prompt override; beats WORKFLOW.md's body | none |
 * | `AI_IMPLEMENT_SANDBOX` | `bwrap`, or `off` to run the agent and the repository's scripts unconfined | `bwrap` |
 * | `AI_IMPLEMENT_SANDBOX_READ_ONLY`, `…_READ_WRITE` | extra directories (`:`-separated) the sandbox shows | none |
 * | `AI_IMPLEMENT_SANDBOX_MASK` | host paths (`:`-separated) the sandbox hides besides the non-world-readable ones of /etc and /opt | none |
 * | `AI_IMPLEMENT_EGRESS` | `allow-list`: the sandbox has no network but the session's proxy, which lets only allow-listed hosts through; `open`: the host's network | `allow-list` |
 * | `AI_IMPLEMENT_EGRESS_ALLOW` | more hosts the proxy lets through (`host`, `*.host`, `host:port`, a URL; comma- or space-separated), besides the model provider, the forge and the public package registries | none |
 * | `AI_IMPLEMENT_CREDENTIALS_FILE` | a 0600 JSON file with the run's tokens, nonce and secrets, read and deleted at start; `/dev/stdin` (a container); `callback`: the secrets come once from `GET /runner/session-env` (Fly) | none |
 *
 * Everything else in the environment — the mapping's extraEnv and secrets — is the agent's,
 * minus anything that is a credential of the session itself (`agentEnvironment`).
 */
export interface SessionConfig {
  jobId: string;
  phase: Phase;
  issueIdentifier: string;
  callbackUrl: string;
  resultToken: string;
  progressToken: string;
  nonce: string;
  prNumber?: number;
  forge: ForgeKind;
  owner: string;
  repo: string;
  repoUrl?: string;
  defaultBranch: string;
  branch: string;
  githubApiUrl: string;
  githubServerUrl: string;
  caps: RunCaps;
  /** The run's own budget (issue 17; the mapping's maxCostUsd and maxTokens): past it the agent is stopped. */
  budget: { maxCostUsd?: number; maxTokens?: number };
  minuteMs: number;
  agentCommand?: string[];
  pipeline: string;
  customDir: string;
  workspaceRoot: string;
  agentEnv: Record<string, string>;
  /** The token the runner itself holds (Actions' `github.token`), used when `/api/token` hands out none (token mode). */
  runnerGithubToken?: string;
  /** How the agent and the repository's commands are confined (`adapters/sandbox`). */
  sandbox: SandboxSettings;
  /** The operator's per-issue overrides (`POST /api/v1/:id/model`, `/template`). */
  model?: string;
  promptTemplate?: string;
}

export interface SandboxSettings {
  mode: 'bwrap' | 'off';
  readOnly: string[];
  readWrite: string[];
  /** Host paths the sandbox hides (`AI_IMPLEMENT_SANDBOX_MASK`). */
  mask: string[];
  /** `allow-list` (no network but the egress proxy) or `open` (the host's network). */
  egress: 'allow-list' | 'open';
  /** The operator's extra allowed hosts (`AI_IMPLEMENT_EGRESS_ALLOW`), parsed. */
  egressAllow: EgressRule[];
}

const PHASES: readonly Phase[] = ['planning', 'implementation', 'gap-analysis'];

/** Names that are the session's own credentials or the orchestrator's, never the agent's. */
const NOT_FOR_THE_AGENT = new Set([
  'GITHUB_TOKEN',
  'GH_TOKEN',
  'ACTIONS_RUNTIME_TOKEN',
  'ACTIONS_ID_TOKEN_REQUEST_TOKEN',
  'ACTIONS_ID_TOKEN_REQUEST_URL',
  'RUNNER_TOKEN_SECRET',
  'ADMIN_ACCESS_CODE',
  'GITHUB_WEBHOOK_SECRET',
  'GAP_FILL_TRIGGER_SECRET',
  'GITHUB_APP_PRIVATE_KEY',
  'LINEAR_API_KEY',
  'LINEAR_WEBHOOK_SECRET',
  'JIRA_API_TOKEN',
  'FLY_API_TOKEN',
  'STORAGE_URL',
]);

/**
 * Variables the machine or GitHub Actions sets, whose values are not secrets (GitHub's list of
 * default variables, by name: a prefix would also cover an operator's `GITHUB_PAT` or
 * `RUNNER_TOKEN_SECRET`). The session redacts every other value of the agent's environment from
 * what it reports; redacting these would blank `owner/repo` out of a PR URL, or every `main`.
 */
const RUNNER_VARIABLES = new Set(
  [
    'PATH HOME USER LOGNAME SHELL PWD OLDPWD SHLVL LANG LANGUAGE TERM TMPDIR HOSTNAME TZ CI _ ImageOS ImageVersion',
    'GITHUB_ACTION GITHUB_ACTION_PATH GITHUB_ACTION_REPOSITORY GITHUB_ACTIONS GITHUB_ACTOR GITHUB_ACTOR_ID',
    'GITHUB_API_URL GITHUB_BASE_REF GITHUB_ENV GITHUB_EVENT_NAME GITHUB_EVENT_PATH GITHUB_GRAPHQL_URL',
    'GITHUB_HEAD_REF GITHUB_JOB GITHUB_OUTPUT GITHUB_PATH GITHUB_REF GITHUB_REF_NAME GITHUB_REF_PROTECTED',
    'GITHUB_REF_TYPE GITHUB_REPOSITORY GITHUB_REPOSITORY_ID GITHUB_REPOSITORY_OWNER GITHUB_REPOSITORY_OWNER_ID',
    'GITHUB_RETENTION_DAYS GITHUB_RUN_ATTEMPT GITHUB_RUN_ID GITHUB_RUN_NUMBER GITHUB_SERVER_URL GITHUB_SHA',
    'GITHUB_STATE GITHUB_STEP_SUMMARY GITHUB_TRIGGERING_ACTOR GITHUB_WORKFLOW GITHUB_WORKFLOW_REF',
    'GITHUB_WORKFLOW_SHA GITHUB_WORKSPACE RUNNER_ARCH RUNNER_DEBUG RUNNER_ENVIRONMENT RUNNER_NAME RUNNER_OS',
    'RUNNER_TEMP RUNNER_TOOL_CACHE',
  ]
    .join(' ')
    .split(' '),
);

/** Whether a variable of the agent's environment is the machine's or the runner's (`RUNNER_VARIABLES`). */
export const isRunnerVariable = (name: string) => RUNNER_VARIABLES.has(name) || /^LC_[A-Z]+$/.test(name);

/**
 * The agent's environment: what the run was given (extraEnv, secrets, PATH, HOME) without
 * any `AI_IMPLEMENT_*` variable (tokens, nonce, session settings) or other credential.
 */
export function agentEnvironment(env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || name.startsWith('AI_IMPLEMENT_') || NOT_FOR_THE_AGENT.has(name)) continue;
    out[name] = value;
  }
  return out;
}

const positiveInt = (v: string | undefined) => (v && /^\d+$/.test(v.trim()) && Number(v) > 0 ? Number(v) : undefined);

function githubServerFrom(apiUrl: string): string {
  const url = apiUrl.replace(/\/+$/, '');
  if (/^https:\/\/api\.github\.com$/i.test(url)) return 'https://github.com';
  return url.replace(/\/api\/v3$/i, '');
}

export function readSessionEnv(env: Record<string, string | undefined>): Result<SessionConfig, string> {
  const get = (name: string) => {
    const v = env[name];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  };
  const missing = [
    'AI_IMPLEMENT_JOB_ID',
    'AI_IMPLEMENT_PHASE',
    'AI_IMPLEMENT_ISSUE',
    'AI_IMPLEMENT_CALLBACK_URL',
    'AI_IMPLEMENT_NONCE',
  ].filter((n) => !get(n));
  if (missing.length > 0) return err(`session: ${missing.join(', ')} must be set (the orchestrator sets them for every run)`);
  for (const name of ['AI_IMPLEMENT_RESULT_TOKEN', 'AI_IMPLEMENT_PROGRESS_TOKEN']) {
    if (!get(name)) return err(`session: ${name} is not set — is RUNNER_TOKEN_SECRET set on the orchestrator?`);
  }
  const phase = get('AI_IMPLEMENT_PHASE') as Phase;
  if (!PHASES.includes(phase)) return err(`session: AI_IMPLEMENT_PHASE must be one of ${PHASES.join(', ')}`);
  const callbackUrl = (get('AI_IMPLEMENT_CALLBACK_URL') ?? '').replace(/\/+$/, '');
  if (!/^https?:\/\/\S+$/.test(callbackUrl)) return err('session: AI_IMPLEMENT_CALLBACK_URL must be an http(s) URL');
  const forge = (get('AI_IMPLEMENT_FORGE') ?? 'github') as ForgeKind;
  if (forge !== 'github' && forge !== 'local') return err('session: AI_IMPLEMENT_FORGE must be github or local');

  const [ghOwner, ghRepo] = (get('GITHUB_REPOSITORY') ?? '').split('/');
  const owner = get('AI_IMPLEMENT_OWNER') ?? ghOwner;
  const repo = get('AI_IMPLEMENT_REPO') ?? ghRepo;
  if (!owner || !repo) return err('session: AI_IMPLEMENT_OWNER and AI_IMPLEMENT_REPO must be set (or GITHUB_REPOSITORY)');
  const repoUrl = get('AI_IMPLEMENT_REPO_URL');
  if (forge === 'local' && !repoUrl)
    return err('session: AI_IMPLEMENT_REPO_URL must name the bare repository for the local forge');

  const agentCommandText = get('AI_IMPLEMENT_AGENT_COMMAND');
  const agentCommand = parseCommandTemplate(agentCommandText);
  if (agentCommandText && !agentCommand)
    return err('session: AI_IMPLEMENT_AGENT_COMMAND must be a JSON array of strings or words');

  const sandboxMode = get('AI_IMPLEMENT_SANDBOX') ?? 'bwrap';
  if (sandboxMode !== 'bwrap' && sandboxMode !== 'off') return err('session: AI_IMPLEMENT_SANDBOX must be bwrap or off');
  const dirs = (name: string) => (get(name) ?? '').split(':').filter((d) => d.startsWith('/'));
  const egress = get('AI_IMPLEMENT_EGRESS') ?? 'allow-list';
  if (egress !== 'allow-list' && egress !== 'open') return err('session: AI_IMPLEMENT_EGRESS must be allow-list or open');
  const egressAllow = parseEgressAllow(get('AI_IMPLEMENT_EGRESS_ALLOW') ?? '');
  if (egressAllow.invalid.length > 0)
    return err(`session: AI_IMPLEMENT_EGRESS_ALLOW has entries that are no host: ${egressAllow.invalid.join(', ')}`);

  const issueIdentifier = get('AI_IMPLEMENT_ISSUE') ?? '';
  const githubApiUrl = get('AI_IMPLEMENT_GITHUB_API_URL') ?? get('GITHUB_API_URL') ?? 'https://api.github.com';
  const prNumber = positiveInt(get('AI_IMPLEMENT_PR_NUMBER'));
  const minuteMs = positiveInt(get('AI_IMPLEMENT_MINUTE_MS')) ?? 60_000;
  const config: SessionConfig = {
    jobId: get('AI_IMPLEMENT_JOB_ID') ?? '',
    phase,
    issueIdentifier,
    callbackUrl,
    resultToken: get('AI_IMPLEMENT_RESULT_TOKEN') ?? '',
    progressToken: get('AI_IMPLEMENT_PROGRESS_TOKEN') ?? '',
    nonce: get('AI_IMPLEMENT_NONCE') ?? '',
    forge,
    owner,
    repo,
    defaultBranch: get('AI_IMPLEMENT_DEFAULT_BRANCH') ?? get('GITHUB_REF_NAME') ?? 'main',
    branch: get('AI_IMPLEMENT_BRANCH') ?? `ai-implement/${issueIdentifier}`,
    githubApiUrl,
    githubServerUrl: (
      get('AI_IMPLEMENT_GITHUB_SERVER_URL') ??
      get('GITHUB_SERVER_URL') ??
      githubServerFrom(githubApiUrl)
    ).replace(/\/+$/, ''),
    caps: resolveRunCaps({
      provider: 'anthropic',
      maxTurns: positiveInt(get('AI_IMPLEMENT_MAX_TURNS')),
      maxIterations: positiveInt(get('AI_IMPLEMENT_MAX_ITERATIONS')),
      maxJobMinutes: positiveInt(get('AI_IMPLEMENT_MAX_JOB_MINUTES')),
    } as Parameters<typeof resolveRunCaps>[0]),
    budget: budgetFrom(get('AI_IMPLEMENT_MAX_COST_USD'), get('AI_IMPLEMENT_MAX_TOKENS')),
    minuteMs,
    pipeline: get('AI_IMPLEMENT_PIPELINE') ?? phase,
    customDir: get('AI_IMPLEMENT_CUSTOM_DIR') ?? PACKAGE_CUSTOM_DIR,
    workspaceRoot: get('AI_IMPLEMENT_WORKSPACE_DIR') ?? tmpdir(),
    agentEnv: agentEnvironment(env),
    ...(get('GITHUB_TOKEN') ? { runnerGithubToken: get('GITHUB_TOKEN') } : {}),
    sandbox: {
      mode: sandboxMode,
      readOnly: dirs('AI_IMPLEMENT_SANDBOX_READ_ONLY'),
      readWrite: dirs('AI_IMPLEMENT_SANDBOX_READ_WRITE'),
      mask: dirs('AI_IMPLEMENT_SANDBOX_MASK'),
      egress,
      egressAllow: egressAllow.rules,
    },
  };
  if (prNumber !== undefined) config.prNumber = prNumber;
  if (repoUrl) config.repoUrl = repoUrl;
  if (agentCommand) config.agentCommand = agentCommand;
  const model = get('AI_IMPLEMENT_MODEL');
  if (model) config.model = model;
  const promptTemplate = get('AI_IMPLEMENT_PROMPT_TEMPLATE');
  if (promptTemplate) config.promptTemplate = promptTemplate;
  return ok(config);
}

/** `AI_IMPLEMENT_MAX_COST_USD` (dollars above 0) and `AI_IMPLEMENT_MAX_TOKENS` (a positive integer); anything else: no cap. */
function budgetFrom(cost: string | undefined, tokens: string | undefined): SessionConfig['budget'] {
  const budget: SessionConfig['budget'] = {};
  const dollars = cost === undefined ? Number.NaN : Number(cost);
  if (Number.isFinite(dollars) && dollars > 0) budget.maxCostUsd = dollars;
  const count = tokens !== undefined && /^\d+$/.test(tokens) ? Number(tokens) : 0;
  if (count > 0) budget.maxTokens = count;
  return budget;
}
