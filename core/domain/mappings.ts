import { err, ok, type Result } from 'neverthrow';
import { MAX_JOB_MINUTES_LIMIT } from './caps.js';
import type { ExecutionMode, ForgeKind, Mapping, Provider, SessionMode, TicketingKind } from './model.js';

/**
 * Project mapping rules: defaults and validation of `POST /api/mappings` and
 * `PATCH /api/mappings/:teamKey`.
 *
 * Spec: admin-ui-earlier-version.txt (the fields table and its defaults),
 * admin-ui-and-api.txt ("The Default Branch field is now required", the run-cap fields) and
 * error-codes-comments-statuses-lifecycle.txt (every `POST /api/mappings` and
 * `PATCH /api/mappings/{teamKey}` message). Messages are returned verbatim by the API.
 */

/** Field defaults of the spec's table, plus this project's own fields (ticketing … extraEnv). */
export const MAPPING_DEFAULTS = {
  workflowFile: 'claude-implement.yml',
  /** Only a field default for display; `defaultBranch` must be given (see validateMappingInput). */
  defaultBranch: 'main',
  maxInProgressAiIssues: 3,
  executionMode: 'github-actions' as ExecutionMode,
  sessionMode: 'autonomous' as SessionMode,
  machineCpus: 2,
  machineMemoryMb: 4096,
  planningEnabled: true,
  planningWorkflowFile: 'claude-plan.yml',
  autoApprovePlans: true,
  provider: 'anthropic' as Provider,
  ticketing: 'linear' as TicketingKind,
  forge: 'github' as ForgeKind,
  branchPrefix: 'ai-implement/',
  paused: false,
  extraEnv: {} as Record<string, string>,
} as const;

export const MAPPING_MESSAGES = {
  invalidBody: 'Invalid request body',
  required: 'teamKey, owner, and repo are required',
  teamKeyFormat: 'teamKey must start with a letter and contain only letters and digits (at most 32)',
  ownerFormat: "owner must be a GitHub user or organization name (letters, digits and '-')",
  repoFormat: "repo must be a repository name (letters, digits, '.', '-' and '_')",
  defaultBranchRequired: 'defaultBranch is required',
  ticketing: "ticketing must be 'linear', 'jira', 'github' or 'local'",
  issuesRepoFormat: "issuesRepo must be a repository name (letters, digits, '.', '-' and '_')",
  jiraJql: "jql is required when ticketing is 'jira'",
  jiraRepoField: "repoFieldValue is required when ticketing is 'jira'",
  forge: "forge must be 'github' or 'local'",
  provider: "provider must be 'anthropic' or 'bedrock'",
  awsRegion: "awsRegion is required when provider is 'bedrock'",
  bedrockOnFly: "provider 'bedrock' is not supported with executionMode 'fly-machines'",
  executionMode: "executionMode must be 'github-actions' or 'fly-machines'",
  machineCpus: 'machineCpus must be a positive integer',
  machineMemoryMb: 'machineMemoryMb must be an integer >= 256',
  sessionMode: "sessionMode must be 'autonomous', 'interactive', or 'hybrid'",
  extraEnvObject: 'extraEnv must be a plain object',
  extraEnvValues: 'extraEnv values must all be strings',
  extraEnvKeys: 'extraEnv keys must be environment variable names (letters, digits, underscores; not starting with a digit)',
  maxInProgress: 'maxInProgressAiIssues must be a positive integer',
  maxJobMinutesLimit: `maxJobMinutes must be at most ${MAX_JOB_MINUTES_LIMIT}`,
  planningWorkflowFile: 'planningWorkflowFile is required when planningEnabled is true',
  patchBoth: 'Specify either paused or maxInProgressAiIssues, not both',
  patchNeither: 'Specify either paused or maxInProgressAiIssues',
  paused: 'paused must be a boolean',
} as const;

const TICKETING: readonly TicketingKind[] = ['linear', 'jira', 'github', 'local'];
const FORGES: readonly ForgeKind[] = ['github', 'local'];
const PROVIDERS: readonly Provider[] = ['anthropic', 'bedrock'];
const EXECUTION_MODES: readonly ExecutionMode[] = ['github-actions', 'fly-machines'];
const SESSION_MODES: readonly SessionMode[] = ['autonomous', 'interactive', 'hybrid'];

/**
 * Letters and digits only: the team key prefixes secret names (`ENG_MY_TOKEN`) and issue
 * identifiers (`ENG-123`), so `_` or `-` inside it would make both ambiguous.
 */
const TEAM_KEY = /^[A-Za-z][A-Za-z0-9]{0,31}$/;
/** GitHub's rules; they also keep owner and repo safe inside API paths and on-disk forges. */
const OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/;
const REPO = /^[A-Za-z0-9._-]{1,100}$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const WORKFLOW_FILE = /^[A-Za-z0-9._-]+\.ya?ml$/;
const BRANCH_PREFIX_MAX = 100;

type Body = Record<string, unknown>;

export function isPlainObject(value: unknown): value is Body {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Absent, null and blank mean "not given": keep the existing value or the default. */
function given(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '';
}

function nonBlankString(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

function isPositiveInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1;
}

/** Dollars: a finite number above 0 (cents and below allowed). */
function isPositiveAmount(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0;
}

function pick<T>(body: Body, key: string, existing: T | undefined, fallback: T): unknown {
  return given(body[key]) ? body[key] : (existing ?? fallback);
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[]): value is T {
  return typeof value === 'string' && (allowed as readonly string[]).includes(value);
}

/**
 * Why a branch prefix cannot start a git branch name, or undefined when it can.
 * The rules of `git check-ref-format` that a prefix (followed by an issue identifier) can break.
 */
export function branchPrefixProblem(prefix: string): string | undefined {
  if (prefix === '') return 'must not be empty';
  if (prefix.length > BRANCH_PREFIX_MAX) return `must be at most ${BRANCH_PREFIX_MAX} characters`;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: git forbids control characters in refs
  const forbidden = /[\u0000-\u0020\u007f~^:?*[\\]/.exec(prefix);
  if (forbidden) return `must not contain ${describeChar(forbidden[0])}`;
  if (prefix.startsWith('/')) return "must not start with '/'";
  if (prefix.startsWith('-')) return "must not start with '-'";
  if (prefix.includes('//')) return "must not contain '//'";
  if (prefix.includes('..')) return "must not contain '..'";
  if (prefix.includes('@{')) return "must not contain '@{'";
  const components = prefix.split('/');
  if (components.some((c) => c.startsWith('.'))) return "no path component may start with '.'";
  // Every component before the last '/' is complete; the last one continues with the identifier.
  if (components.slice(0, -1).some((c) => c.endsWith('.lock'))) return "no path component may end with '.lock'";
  return undefined;
}

function describeChar(ch: string): string {
  if (ch === ' ') return 'spaces';
  const code = ch.charCodeAt(0);
  if (code < 0x20 || code === 0x7f) return 'control characters';
  return `'${ch}'`;
}

function workflowFileProblem(field: string, value: string): string | undefined {
  return WORKFLOW_FILE.test(value) ? undefined : `${field} must be a workflow file name ending in .yml or .yaml`;
}

/**
 * Validates a `POST /api/mappings` body and returns the mapping to store.
 *
 * `existing` is the stored mapping with the body's teamKey, if any: the body is merged onto
 * it (a field absent, null or blank keeps its stored value), so POST both creates and
 * updates. Fields the spec does not name are ignored here (the HTTP route refuses them first:
 * `Unknown field: <name>`). The first problem found is returned
 * as the spec's exact message.
 */
export function validateMappingInput(body: unknown, existing: Mapping | undefined, now: number): Result<Mapping, string> {
  if (!isPlainObject(body)) return err(MAPPING_MESSAGES.invalidBody);
  const d = MAPPING_DEFAULTS;

  // A required field of the wrong type counts as missing rather than silently keeping the stored one.
  if (['teamKey', 'owner', 'repo'].some((k) => given(body[k]) && typeof body[k] !== 'string')) {
    return err(MAPPING_MESSAGES.required);
  }
  const teamKey = nonBlankString(body.teamKey);
  const owner = nonBlankString(body.owner) ?? existing?.owner;
  const repo = nonBlankString(body.repo) ?? existing?.repo;
  if (!teamKey || !owner || !repo) return err(MAPPING_MESSAGES.required);
  if (!TEAM_KEY.test(teamKey)) return err(MAPPING_MESSAGES.teamKeyFormat);
  if (!OWNER.test(owner)) return err(MAPPING_MESSAGES.ownerFormat);
  if (!REPO.test(repo) || repo === '.' || repo === '..') return err(MAPPING_MESSAGES.repoFormat);
  if (existing && existing.teamKey !== teamKey) {
    throw new Error(`validateMappingInput: existing mapping ${existing.teamKey} does not match ${teamKey}`);
  }

  if (given(body.defaultBranch) && typeof body.defaultBranch !== 'string') return err('defaultBranch must be a string');
  const defaultBranch = nonBlankString(body.defaultBranch) ?? existing?.defaultBranch;
  if (!defaultBranch) return err(MAPPING_MESSAGES.defaultBranchRequired);
  const branchProblem = branchPrefixProblem(defaultBranch);
  if (branchProblem || defaultBranch.endsWith('/') || defaultBranch.endsWith('.') || defaultBranch.endsWith('.lock')) {
    return err(`defaultBranch invalid: ${branchProblem ?? "must not end with '/', '.' or '.lock'"}`);
  }

  const ticketing = pick(body, 'ticketing', existing?.ticketing, d.ticketing);
  if (!oneOf(ticketing, TICKETING)) return err(MAPPING_MESSAGES.ticketing);
  const jql = optionalString(body, 'jql', existing?.jql);
  if (jql.isErr()) return err(jql.error);
  const repoFieldValue = optionalString(body, 'repoFieldValue', existing?.repoFieldValue);
  if (repoFieldValue.isErr()) return err(repoFieldValue.error);
  if (ticketing === 'jira' && !jql.value) return err(MAPPING_MESSAGES.jiraJql);
  if (ticketing === 'jira' && !repoFieldValue.value) return err(MAPPING_MESSAGES.jiraRepoField);
  const issuesRepo = optionalString(body, 'issuesRepo', existing?.issuesRepo);
  if (issuesRepo.isErr()) return err(issuesRepo.error);
  if (issuesRepo.value && (!REPO.test(issuesRepo.value) || issuesRepo.value === '.' || issuesRepo.value === '..'))
    return err(MAPPING_MESSAGES.issuesRepoFormat);

  const forge = pick(body, 'forge', existing?.forge, d.forge);
  if (!oneOf(forge, FORGES)) return err(MAPPING_MESSAGES.forge);

  const provider = pick(body, 'provider', existing?.provider, d.provider);
  if (!oneOf(provider, PROVIDERS)) return err(MAPPING_MESSAGES.provider);
  const awsRegion = optionalString(body, 'awsRegion', existing?.awsRegion);
  const promptTemplate = optionalString(body, 'promptTemplate', existing?.promptTemplate);
  if (promptTemplate.isErr()) return err(promptTemplate.error);
  if (awsRegion.isErr()) return err(awsRegion.error);
  if (provider === 'bedrock' && !awsRegion.value) return err(MAPPING_MESSAGES.awsRegion);
  const executionMode = pick(body, 'executionMode', existing?.executionMode, d.executionMode);
  if (provider === 'bedrock' && executionMode === 'fly-machines') return err(MAPPING_MESSAGES.bedrockOnFly);
  if (!oneOf(executionMode, EXECUTION_MODES)) return err(MAPPING_MESSAGES.executionMode);

  const machineCpus = pick(body, 'machineCpus', existing?.machineCpus, d.machineCpus);
  if (!isPositiveInteger(machineCpus)) return err(MAPPING_MESSAGES.machineCpus);
  const machineMemoryMb = pick(body, 'machineMemoryMb', existing?.machineMemoryMb, d.machineMemoryMb);
  if (typeof machineMemoryMb !== 'number' || !Number.isInteger(machineMemoryMb) || machineMemoryMb < 256) {
    return err(MAPPING_MESSAGES.machineMemoryMb);
  }
  const sessionMode = pick(body, 'sessionMode', existing?.sessionMode, d.sessionMode);
  if (!oneOf(sessionMode, SESSION_MODES)) return err(MAPPING_MESSAGES.sessionMode);

  const branchPrefix =
    body.branchPrefix === undefined || body.branchPrefix === null
      ? (existing?.branchPrefix ?? d.branchPrefix)
      : body.branchPrefix;
  if (typeof branchPrefix !== 'string') return err('branchPrefix invalid: must be a string');
  const prefixProblem = branchPrefixProblem(branchPrefix);
  if (prefixProblem) return err(`branchPrefix invalid: ${prefixProblem}`);

  const extraEnv = body.extraEnv === undefined || body.extraEnv === null ? (existing?.extraEnv ?? d.extraEnv) : body.extraEnv;
  if (!isPlainObject(extraEnv)) return err(MAPPING_MESSAGES.extraEnvObject);
  if (!Object.values(extraEnv).every((v) => typeof v === 'string')) return err(MAPPING_MESSAGES.extraEnvValues);
  if (!Object.keys(extraEnv).every((k) => ENV_NAME.test(k))) return err(MAPPING_MESSAGES.extraEnvKeys);
  const reserved = Object.keys(extraEnv).find(isReservedObjectKey);
  if (reserved !== undefined) return err(reservedEnvMessage(reserved));
  const refused = Object.keys(extraEnv).find(isRefusedEnvName);
  if (refused !== undefined) return err(refusedEnvMessage(refused));

  const maxInProgressAiIssues = pick(body, 'maxInProgressAiIssues', existing?.maxInProgressAiIssues, d.maxInProgressAiIssues);
  if (!isPositiveInteger(maxInProgressAiIssues)) return err(MAPPING_MESSAGES.maxInProgress);

  const booleans = {} as Record<'planningEnabled' | 'autoApprovePlans' | 'paused', boolean>;
  for (const key of ['planningEnabled', 'autoApprovePlans', 'paused'] as const) {
    const value = pick(body, key, existing?.[key], d[key]);
    if (typeof value !== 'boolean') return err(`${key} must be a boolean`);
    booleans[key] = value;
  }

  const workflowFile = body.workflowFile === undefined ? (existing?.workflowFile ?? d.workflowFile) : body.workflowFile;
  if (typeof workflowFile !== 'string' || workflowFile.trim() === '') return err('workflowFile is required');
  const workflowProblem = workflowFileProblem('workflowFile', workflowFile.trim());
  if (workflowProblem) return err(workflowProblem);

  // An explicit null or blank clears the planning workflow; that is only allowed with planning off.
  const planningRaw =
    body.planningWorkflowFile === undefined
      ? (existing?.planningWorkflowFile ?? d.planningWorkflowFile)
      : (body.planningWorkflowFile ?? '');
  if (typeof planningRaw !== 'string') return err('planningWorkflowFile must be a string');
  const planningWorkflowFile = planningRaw.trim();
  if (booleans.planningEnabled && planningWorkflowFile === '') return err(MAPPING_MESSAGES.planningWorkflowFile);
  if (planningWorkflowFile !== '') {
    const problem = workflowFileProblem('planningWorkflowFile', planningWorkflowFile);
    if (problem) return err(problem);
  }

  const caps: Partial<Pick<Mapping, 'maxTurns' | 'maxIterations' | 'maxJobMinutes'>> = {};
  for (const key of ['maxTurns', 'maxIterations', 'maxJobMinutes'] as const) {
    const raw = key in body ? body[key] : existing?.[key];
    if (!given(raw)) continue; // blank or null: use the default
    if (!isPositiveInteger(raw)) return err(`${key} must be a positive integer`);
    if (key === 'maxJobMinutes' && raw > MAX_JOB_MINUTES_LIMIT) return err(MAPPING_MESSAGES.maxJobMinutesLimit);
    caps[key] = raw;
  }
  const budgets: Partial<Pick<Mapping, 'maxCostUsd' | 'maxTokens' | 'dailyBudgetUsd'>> = {};
  for (const key of ['maxCostUsd', 'maxTokens', 'dailyBudgetUsd'] as const) {
    const raw = key in body ? body[key] : existing?.[key];
    if (!given(raw)) continue; // blank or null: no budget
    if (key === 'maxTokens' ? !isPositiveInteger(raw) : !isPositiveAmount(raw))
      return err(`${key} must be a positive ${key === 'maxTokens' ? 'integer' : 'number of dollars'}`);
    budgets[key] = raw as number;
  }

  const mapping: Mapping = {
    teamKey,
    ticketing,
    forge,
    owner,
    repo,
    workflowFile: workflowFile.trim(),
    defaultBranch,
    branchPrefix,
    maxInProgressAiIssues,
    executionMode,
    sessionMode,
    machineCpus,
    machineMemoryMb,
    planningEnabled: booleans.planningEnabled,
    planningWorkflowFile,
    autoApprovePlans: booleans.autoApprovePlans,
    provider,
    extraEnv: { ...(extraEnv as Record<string, string>) },
    paused: booleans.paused,
    ...caps,
    ...budgets,
    createdAt: existing?.createdAt ?? now,
    updatedAt: now,
  };
  if (jql.value) mapping.jql = jql.value;
  if (repoFieldValue.value) mapping.repoFieldValue = repoFieldValue.value;
  if (issuesRepo.value) mapping.issuesRepo = issuesRepo.value;
  if (awsRegion.value) mapping.awsRegion = awsRegion.value;
  if (promptTemplate.value) mapping.promptTemplate = promptTemplate.value;
  return ok(mapping);
}

/** The repository a GitHub Issues mapping takes its issues from: `issuesRepo` of the owner, else the mapped repository. */
export function githubIssuesRepo(mapping: Pick<Mapping, 'owner' | 'repo' | 'issuesRepo'>): { owner: string; repo: string } {
  return { owner: mapping.owner, repo: mapping.issuesRepo ?? mapping.repo };
}

/** An optional string field: absent keeps the stored value, null or blank clears it. */
function optionalString(body: Body, key: string, existing: string | undefined): Result<string | undefined, string> {
  if (!(key in body) || body[key] === undefined) return ok(existing);
  const value = body[key];
  if (value === null) return ok(undefined);
  if (typeof value !== 'string') return err(`${key} must be a string`);
  return ok(value.trim() === '' ? undefined : value.trim());
}

/** The one change `PATCH /api/mappings/:teamKey` makes (a null `promptTemplate` clears it). */
export type MappingPatch = { paused: boolean } | { maxInProgressAiIssues: number } | { promptTemplate: string | null };

/**
 * Validates a PATCH body: exactly one of `paused` (boolean) or `maxInProgressAiIssues`, or else
 * `promptTemplate` alone (a template id, or null or blank to clear it).
 */
export function validateMappingPatch(body: unknown): Result<MappingPatch, string> {
  if (!isPlainObject(body)) return err(MAPPING_MESSAGES.invalidBody);
  const hasPaused = body.paused !== undefined;
  const hasCap = body.maxInProgressAiIssues !== undefined;
  if (hasPaused && hasCap) return err(MAPPING_MESSAGES.patchBoth);
  if (!hasPaused && !hasCap && body.promptTemplate !== undefined) {
    const template = optionalString(body, 'promptTemplate', undefined);
    return template.map((id) => ({ promptTemplate: id ?? null }));
  }
  if (hasCap) {
    return isPositiveInteger(body.maxInProgressAiIssues)
      ? ok({ maxInProgressAiIssues: body.maxInProgressAiIssues })
      : err(MAPPING_MESSAGES.maxInProgress);
  }
  if (hasPaused) return typeof body.paused === 'boolean' ? ok({ paused: body.paused }) : err(MAPPING_MESSAGES.paused);
  return err(MAPPING_MESSAGES.patchNeither);
}

export function applyMappingPatch(mapping: Mapping, patch: MappingPatch, now: number): Mapping {
  if (!('promptTemplate' in patch)) return { ...mapping, ...patch, updatedAt: now };
  const { promptTemplate: _, ...rest } = mapping;
  return { ...rest, ...(patch.promptTemplate ? { promptTemplate: patch.promptTemplate } : {}), updatedAt: now };
}

/**
 * Variables a mapping's `extraEnv` may not set: they change what code the session, the agent or
 * git load and run (`NODE_OPTIONS`, the dynamic loader's `LD_*`/`DYLD_*`, `PATH`, `GIT_*`), so
 * whoever edits a mapping would run code with the session's credentials.
 */
export function isRefusedEnvName(name: string): boolean {
  return name === 'NODE_OPTIONS' || name === 'PATH' || /^(LD_|DYLD_|GIT_)/.test(name);
}

/**
 * Names JavaScript objects give a meaning of their own: `obj['__proto__'] = v` sets the
 * prototype instead of a key (the variable silently vanishes), and `constructor`/`prototype`
 * read as present on any plain object. No program needs them as environment variables, so a
 * mapping's `extraEnv` may not use them, and a run's environment leaves them out.
 */
export const RESERVED_OBJECT_KEYS: readonly string[] = ['__proto__', 'constructor', 'prototype'];

export function isReservedObjectKey(name: string): boolean {
  return RESERVED_OBJECT_KEYS.includes(name);
}

export function reservedEnvMessage(name: string): string {
  return `extraEnv must not use ${name} (__proto__, constructor and prototype are reserved names)`;
}

export function refusedEnvMessage(name: string): string {
  return `extraEnv must not set ${name} (NODE_OPTIONS, PATH, LD_*, DYLD_* and GIT_* are refused)`;
}
