import { resolveRunCaps } from '../../domain/caps.js';
import { isRefusedEnvName, isReservedObjectKey } from '../../domain/mappings.js';
import type { Job, Mapping } from '../../domain/model.js';
import type { CoreSettings } from '../core-settings.js';
import type { ForgeRegistry } from '../pulls/forge-registry.js';
import type { RunTokensService } from '../runs/run-tokens.service.js';
import type { RunEnvironmentBuilder } from './dispatch.service.js';

/**
 * The names a session reads, the same the workflow templates pass from their inputs
 * (plugins/workflow-templates/claude-*.yml):
 *
 * | variable | value |
 * |---|---|
 * | `AI_IMPLEMENT_JOB_ID` | the job id |
 * | `AI_IMPLEMENT_PHASE` | `planning`, `implementation` or `gap-analysis` |
 * | `AI_IMPLEMENT_ISSUE` | the issue identifier (`ENG-123`) |
 * | `AI_IMPLEMENT_CALLBACK_URL` | `PUBLIC_URL`: base of `/runner/*` and `/api/{token,status,step-report}` |
 * | `AI_IMPLEMENT_RESULT_TOKEN` | single-use bearer for `POST /runner/result` (only with RUNNER_TOKEN_SECRET) |
 * | `AI_IMPLEMENT_PROGRESS_TOKEN` | bearer for `POST /runner/progress`, `GET /runner/planning-context` (same) |
 * | `AI_IMPLEMENT_NONCE` | the run's nonce for `/api/token`, `/api/status`, `/api/step-report` |
 * | `AI_IMPLEMENT_PR_NUMBER` | the pull request the run continues, when the job has one |
 * | `AI_IMPLEMENT_MAX_TURNS`, `AI_IMPLEMENT_MAX_ITERATIONS`, `AI_IMPLEMENT_MAX_JOB_MINUTES` | the run caps |
 * | `AI_IMPLEMENT_MAX_COST_USD`, `AI_IMPLEMENT_MAX_TOKENS` | the run's budget (the mapping's `maxCostUsd`, `maxTokens`), when set |
 * | `AI_IMPLEMENT_OWNER`, `AI_IMPLEMENT_REPO`, `AI_IMPLEMENT_FORGE`, `AI_IMPLEMENT_DEFAULT_BRANCH` | where the code lives |
 * | `AI_IMPLEMENT_BRANCH` | the working branch: the mapping's `branchPrefix` + the issue identifier |
 * | `AI_IMPLEMENT_REPO_URL` | a forge cloned directly (local: the bare repository `DATA_DIR/repos/{owner}/{repo}.git`) |
 * | `AI_IMPLEMENT_GITHUB_API_URL` | a forge cloned through its API (github: `GITHUB_API_URL`) |
 * | `AI_IMPLEMENT_MODEL`, `AI_IMPLEMENT_PROMPT_TEMPLATE` | the issue's model and prompt overrides (`POST /api/v1/:id/model`, `/template`; else the mapping's `promptTemplate`), when set |
 *
 * plus the team's secrets (their stored, team-prefixed names) and the mapping's `extraEnv` (which
 * wins over a secret of the same name), minus any `AI_IMPLEMENT_*` name (those are the run's own). No orchestrator
 * secret (RUNNER_TOKEN_SECRET, API keys, GitHub credentials) is ever put here: a session
 * asks `/api/token` for a repository token instead.
 */
export const RUN_ENV = {
  jobId: 'AI_IMPLEMENT_JOB_ID',
  phase: 'AI_IMPLEMENT_PHASE',
  issue: 'AI_IMPLEMENT_ISSUE',
  callbackUrl: 'AI_IMPLEMENT_CALLBACK_URL',
  resultToken: 'AI_IMPLEMENT_RESULT_TOKEN',
  progressToken: 'AI_IMPLEMENT_PROGRESS_TOKEN',
  nonce: 'AI_IMPLEMENT_NONCE',
  prNumber: 'AI_IMPLEMENT_PR_NUMBER',
  maxTurns: 'AI_IMPLEMENT_MAX_TURNS',
  maxIterations: 'AI_IMPLEMENT_MAX_ITERATIONS',
  maxJobMinutes: 'AI_IMPLEMENT_MAX_JOB_MINUTES',
  maxCostUsd: 'AI_IMPLEMENT_MAX_COST_USD',
  maxTokens: 'AI_IMPLEMENT_MAX_TOKENS',
  owner: 'AI_IMPLEMENT_OWNER',
  repo: 'AI_IMPLEMENT_REPO',
  forge: 'AI_IMPLEMENT_FORGE',
  defaultBranch: 'AI_IMPLEMENT_DEFAULT_BRANCH',
  branch: 'AI_IMPLEMENT_BRANCH',
  repoUrl: 'AI_IMPLEMENT_REPO_URL',
  githubApiUrl: 'AI_IMPLEMENT_GITHUB_API_URL',
  model: 'AI_IMPLEMENT_MODEL',
  promptTemplate: 'AI_IMPLEMENT_PROMPT_TEMPLATE',
} as const;

export interface RunEnvironmentDeps {
  config: Pick<CoreSettings, 'publicUrl' | 'githubApiUrl'>;
  runTokens: Pick<RunTokensService, 'issue'>;
  /** The mapping's forge says where the session gets the code (`Forge.checkoutSource`). */
  forgeRegistry: Pick<ForgeRegistry, 'get'>;
  /** The team's secrets (stored team-prefixed, `ENG_MY_TOKEN`) as the session receives them. */
  sessionSecrets: (mapping: Mapping, runner: Job['runner']) => Promise<Record<string, string>>;
  /**
   * The issue's operator overrides (issue-control-registrations.ts), the template falling back to
   * the mapping's `promptTemplate`; none when absent.
   */
  issueRunOverrides?: (issueId: string, mappingTemplate?: string) => Promise<{ model?: string; template?: string }>;
}

/** A mapping stored before extraEnv refused loader, path and reserved names does not pass them on either. */
const notRunOwn = ([name]: [string, string]) =>
  !name.startsWith('AI_IMPLEMENT_') && !isRefusedEnvName(name) && !isReservedObjectKey(name);

/**
 * The team-defined part of a session's environment: the team's secrets and the mapping's
 * `extraEnv` (which wins over a secret of the same name), minus any `AI_IMPLEMENT_*` name and
 * any refused variable. The same at dispatch and when a Fly session fetches it
 * (`GET /runner/session-env`), so both give the session the same names and values.
 */
export function teamSessionEnv(
  secrets: Record<string, string>,
  mapping: Pick<Mapping, 'extraEnv'> | undefined,
): Record<string, string> {
  return {
    ...Object.fromEntries(Object.entries(secrets).filter(notRunOwn)),
    ...Object.fromEntries(Object.entries(mapping?.extraEnv ?? {}).filter(notRunOwn)),
  };
}

/** Mints the run's credentials (once per dispatch) and builds the session's environment. */
export function createRunEnvironment({
  config,
  runTokens,
  forgeRegistry,
  sessionSecrets,
  issueRunOverrides,
}: RunEnvironmentDeps): RunEnvironmentBuilder {
  return async (job: Job, mapping: Mapping) => {
    const credentials = await runTokens.issue(job, mapping);
    const caps = resolveRunCaps(mapping);
    const secrets = await sessionSecrets(mapping, job.runner);
    const env: Record<string, string> = {
      ...teamSessionEnv(secrets, mapping),
      [RUN_ENV.jobId]: job.id,
      [RUN_ENV.phase]: job.phase,
      [RUN_ENV.issue]: job.identifier,
      [RUN_ENV.callbackUrl]: config.publicUrl,
      [RUN_ENV.nonce]: credentials.nonce,
      [RUN_ENV.maxTurns]: String(caps.maxTurns),
      [RUN_ENV.maxIterations]: String(caps.maxIterations),
      [RUN_ENV.maxJobMinutes]: String(caps.maxJobMinutes),
    };
    if (credentials.resultToken) env[RUN_ENV.resultToken] = credentials.resultToken;
    if (credentials.progressToken) env[RUN_ENV.progressToken] = credentials.progressToken;
    if (job.prNumber !== undefined) env[RUN_ENV.prNumber] = String(job.prNumber);
    if (mapping.maxCostUsd !== undefined) env[RUN_ENV.maxCostUsd] = String(mapping.maxCostUsd);
    if (mapping.maxTokens !== undefined) env[RUN_ENV.maxTokens] = String(mapping.maxTokens);
    // Where the code lives (the session clones it; a GitHub Actions run also has GITHUB_REPOSITORY).
    env[RUN_ENV.owner] = mapping.owner;
    env[RUN_ENV.repo] = mapping.repo;
    env[RUN_ENV.forge] = mapping.forge;
    env[RUN_ENV.defaultBranch] = mapping.defaultBranch;
    env[RUN_ENV.branch] = `${mapping.branchPrefix}${job.identifier}`;
    // Only GitHub can lack a connection (the local forge is always there): its API base still
    // comes from the settings, so the session's environment does not depend on credentials.
    const source = forgeRegistry.get(mapping.forge)?.checkoutSource(mapping) ?? { apiUrl: config.githubApiUrl };
    if ('repoUrl' in source) env[RUN_ENV.repoUrl] = source.repoUrl;
    else env[RUN_ENV.githubApiUrl] = source.apiUrl;
    const overrides = (await issueRunOverrides?.(job.issueId, mapping.promptTemplate)) ?? {};
    if (overrides.model) env[RUN_ENV.model] = overrides.model;
    if (overrides.template) env[RUN_ENV.promptTemplate] = overrides.template;
    return env;
  };
}
