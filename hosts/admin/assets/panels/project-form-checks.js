// @ts-check
/**
 * The Projects stepper's checks, step by step, with the spec's own messages (the same rules and
 * words as core/domain/mappings.ts `validateMappingInput`; test/hosts/admin/project-form-checks.test.ts
 * holds the two together), and the request body the form sends. Pure: no DOM, so the test
 * imports it as it is.
 */

/** The spec's messages (MAPPING_MESSAGES of core/domain/mappings.ts). */
export const MESSAGES = {
  required: 'teamKey, owner, and repo are required',
  teamKeyFormat: 'teamKey must start with a letter and contain only letters and digits (at most 32)',
  ownerFormat: "owner must be a GitHub user or organization name (letters, digits and '-')",
  repoFormat: "repo must be a repository name (letters, digits, '.', '-' and '_')",
  defaultBranchRequired: 'defaultBranch is required',
  issuesRepoFormat: "issuesRepo must be a repository name (letters, digits, '.', '-' and '_')",
  jiraJql: "jql is required when ticketing is 'jira'",
  jiraRepoField: "repoFieldValue is required when ticketing is 'jira'",
  awsRegion: "awsRegion is required when provider is 'bedrock'",
  bedrockOnFly: "provider 'bedrock' is not supported with executionMode 'fly-machines'",
  machineCpus: 'machineCpus must be a positive integer',
  machineMemoryMb: 'machineMemoryMb must be an integer >= 256',
  extraEnvKeys: 'extraEnv keys must be environment variable names (letters, digits, underscores; not starting with a digit)',
  maxInProgress: 'maxInProgressAiIssues must be a positive integer',
};

/**
 * A new project whose team key an existing one has: POST /api/mappings creates _or updates_, so
 * sending it would silently replace that project's repository, runner and caps.
 * @param {string} teamKey
 */
export const teamKeyTaken = (teamKey) => `A project with team key ${teamKey} already exists: edit it instead`;

/** The steps, in order; each field belongs to one. */
export const STEPS = ['Ticketing system', 'Source', 'Repository', 'Runner', 'Provider', 'Capacity', 'Secrets', 'Review'];

/** @type {Record<string, number>} */
export const FIELD_STEP = {
  ticketing: 0,
  teamKey: 1,
  jql: 1,
  repoFieldValue: 1,
  issuesRepo: 1,
  forge: 2,
  owner: 2,
  repo: 2,
  defaultBranch: 2,
  branchPrefix: 2,
  executionMode: 3,
  sessionMode: 3,
  machineCpus: 3,
  machineMemoryMb: 3,
  workflowFile: 3,
  planningEnabled: 3,
  planningWorkflowFile: 3,
  autoApprovePlans: 3,
  extraEnv: 3,
  provider: 4,
  awsRegion: 4,
  maxInProgressAiIssues: 5,
  maxTurns: 5,
  maxIterations: 5,
  maxJobMinutes: 5,
  maxCostUsd: 5,
  maxTokens: 5,
  dailyBudgetUsd: 5,
  paused: 5,
};

const TEAM_KEY = /^[A-Za-z][A-Za-z0-9]{0,31}$/;
const OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/;
const REPO = /^[A-Za-z0-9._-]{1,100}$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const WORKFLOW_FILE = /^[A-Za-z0-9._-]+\.ya?ml$/;
const POSITIVE_INTEGER = /^[1-9]\d*$/;

/** Run caps: blank means the default (maxTurns 50, maxIterations Bedrock 2 / Anthropic 3, maxJobMinutes 90). */
export const CAPS = /** @type {const} */ (['maxTurns', 'maxIterations', 'maxJobMinutes']);

/** Budgets (issue 17): blank means none; sent as null, which clears them. */
export const BUDGETS = /** @type {const} */ (['maxCostUsd', 'maxTokens', 'dailyBudgetUsd']);

/**
 * The form as text: every control trimmed (checkboxes as booleans). Blank optional fields take
 * their defaults on the server.
 * @typedef {{
 *   ticketing: string, teamKey: string, jql: string, repoFieldValue: string, issuesRepo: string,
 *   forge: string, owner: string, repo: string, defaultBranch: string, branchPrefix: string,
 *   executionMode: string, sessionMode: string, machineCpus: string, machineMemoryMb: string,
 *   workflowFile: string, planningEnabled: boolean, planningWorkflowFile: string, autoApprovePlans: boolean,
 *   extraEnv: string, provider: string, awsRegion: string, maxInProgressAiIssues: string,
 *   maxTurns: string, maxIterations: string, maxJobMinutes: string, maxCostUsd: string,
 *   maxTokens: string, dailyBudgetUsd: string, paused: boolean,
 * }} FormValues
 * @typedef {{ field: string, message: string }} Problem
 */

/**
 * Why a branch name prefix cannot start a git branch, or undefined (branchPrefixProblem of core/domain/mappings.ts).
 * @param {string} prefix
 */
export function branchPrefixProblem(prefix) {
  if (prefix === '') return 'must not be empty';
  if (prefix.length > 100) return 'must be at most 100 characters';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: git forbids control characters in refs
  const forbidden = /[\u0000-\u0020\u007f~^:?*[\\]/.exec(prefix);
  if (forbidden) {
    const ch = forbidden[0];
    const code = ch.charCodeAt(0);
    if (ch === ' ') return 'must not contain spaces';
    if (code < 0x20 || code === 0x7f) return 'must not contain control characters';
    return `must not contain '${ch}'`;
  }
  if (prefix.startsWith('/')) return "must not start with '/'";
  if (prefix.startsWith('-')) return "must not start with '-'";
  if (prefix.includes('//')) return "must not contain '//'";
  if (prefix.includes('..')) return "must not contain '..'";
  if (prefix.includes('@{')) return "must not contain '@{'";
  const components = prefix.split('/');
  if (components.some((c) => c.startsWith('.'))) return "no path component may start with '.'";
  if (components.slice(0, -1).some((c) => c.endsWith('.lock'))) return "no path component may end with '.lock'";
  return undefined;
}

/** @param {string} name */
const isRefusedEnvName = (name) => name === 'NODE_OPTIONS' || name === 'PATH' || /^(LD_|DYLD_|GIT_)/.test(name);

/** Names JavaScript objects reserve (core/domain/mappings.ts `RESERVED_OBJECT_KEYS`). */
const RESERVED_NAMES = ['__proto__', 'constructor', 'prototype'];

/** @param {string} field @param {string} value */
const workflowProblem = (field, value) =>
  value !== '' && !WORKFLOW_FILE.test(value) ? `${field} must be a workflow file name ending in .yml or .yaml` : undefined;

/**
 * `extraEnv` as the form holds it (one KEY=value a line) → the object sent, or the problem.
 * @param {string} text
 * @returns {{ env: Record<string, string> } | { message: string }}
 */
export function parseExtraEnv(text) {
  /** @type {Record<string, string>} */
  const env = {};
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  for (const [i, line] of lines.entries()) {
    const eq = line.indexOf('=');
    if (eq <= 0) return { message: `Extra environment line ${i + 1} must look like KEY=value` };
    const key = line.slice(0, eq).trim();
    if (!ENV_NAME.test(key)) return { message: MESSAGES.extraEnvKeys };
    if (RESERVED_NAMES.includes(key))
      return { message: `extraEnv must not use ${key} (__proto__, constructor and prototype are reserved names)` };
    if (isRefusedEnvName(key))
      return { message: `extraEnv must not set ${key} (NODE_OPTIONS, PATH, LD_*, DYLD_* and GIT_* are refused)` };
    env[key] = line.slice(eq + 1);
  }
  return { env };
}

/**
 * Every problem of one step, in the order of its fields.
 * @param {number} step
 * @param {FormValues} v
 * @param {string[]} [taken] team keys of the projects there are (a new project's key must not be one)
 * @returns {Problem[]}
 */
export function checkStep(step, v, taken = []) {
  /** @type {Problem[]} */
  const problems = [];
  /** @param {string} field @param {string | undefined} message */
  const add = (field, message) => {
    if (message) problems.push({ field, message });
  };
  if (step === 1) {
    add(
      'teamKey',
      v.teamKey === ''
        ? MESSAGES.required
        : !TEAM_KEY.test(v.teamKey)
          ? MESSAGES.teamKeyFormat
          : taken.includes(v.teamKey)
            ? teamKeyTaken(v.teamKey)
            : undefined,
    );
    if (v.ticketing === 'jira') {
      add('jql', v.jql === '' ? MESSAGES.jiraJql : undefined);
      add('repoFieldValue', v.repoFieldValue === '' ? MESSAGES.jiraRepoField : undefined);
    }
    if (v.ticketing === 'github' && v.issuesRepo !== '') {
      const bad = !REPO.test(v.issuesRepo) || v.issuesRepo === '.' || v.issuesRepo === '..';
      add('issuesRepo', bad ? MESSAGES.issuesRepoFormat : undefined);
    }
  }
  if (step === 2) {
    add('owner', v.owner === '' ? MESSAGES.required : OWNER.test(v.owner) ? undefined : MESSAGES.ownerFormat);
    const badRepo = !REPO.test(v.repo) || v.repo === '.' || v.repo === '..';
    add('repo', v.repo === '' ? MESSAGES.required : badRepo ? MESSAGES.repoFormat : undefined);
    if (v.defaultBranch === '') add('defaultBranch', MESSAGES.defaultBranchRequired);
    else {
      const b = v.defaultBranch;
      const problem = branchPrefixProblem(b) ?? (/(\/|\.|\.lock)$/.test(b) ? "must not end with '/', '.' or '.lock'" : undefined);
      add('defaultBranch', problem ? `defaultBranch invalid: ${problem}` : undefined);
    }
    if (v.branchPrefix !== '') {
      const problem = branchPrefixProblem(v.branchPrefix);
      add('branchPrefix', problem ? `branchPrefix invalid: ${problem}` : undefined);
    }
  }
  if (step === 3) {
    if (v.executionMode === 'fly-machines') {
      add('machineCpus', v.machineCpus !== '' && !POSITIVE_INTEGER.test(v.machineCpus) ? MESSAGES.machineCpus : undefined);
      const mem = v.machineMemoryMb;
      add('machineMemoryMb', mem !== '' && (!/^\d+$/.test(mem) || Number(mem) < 256) ? MESSAGES.machineMemoryMb : undefined);
    }
    add('workflowFile', workflowProblem('workflowFile', v.workflowFile));
    if (v.planningEnabled) add('planningWorkflowFile', workflowProblem('planningWorkflowFile', v.planningWorkflowFile));
    const env = parseExtraEnv(v.extraEnv);
    add('extraEnv', 'message' in env ? env.message : undefined);
  }
  if (step === 4 && v.provider === 'bedrock') {
    add('awsRegion', v.awsRegion === '' ? MESSAGES.awsRegion : undefined);
    add('provider', v.executionMode === 'fly-machines' ? MESSAGES.bedrockOnFly : undefined);
  }
  if (step === 5) {
    const n = v.maxInProgressAiIssues;
    add('maxInProgressAiIssues', n !== '' && !POSITIVE_INTEGER.test(n) ? MESSAGES.maxInProgress : undefined);
    for (const key of /** @type {const} */ (['maxTurns', 'maxIterations', 'maxJobMinutes'])) {
      add(key, v[key] !== '' && !POSITIVE_INTEGER.test(v[key]) ? `${key} must be a positive integer` : undefined);
    }
  }
  return problems;
}

/**
 * The request body the stepper sends for these values, or the message that keeps it from being
 * sent. Blank optional fields are left out, so the API applies its defaults (or, when editing,
 * keeps the stored value); blank run caps and budgets are sent as null, which clears them.
 * @param {FormValues} v
 * @returns {{ body: Record<string, unknown> } | { error: string }}
 */
export function requestBody(v) {
  /** @type {Record<string, unknown>} */
  const out = { ticketing: v.ticketing };
  for (const name of /** @type {const} */ ([
    'teamKey',
    'owner',
    'repo',
    'defaultBranch',
    'branchPrefix',
    'workflowFile',
    'planningWorkflowFile',
    'forge',
    'executionMode',
    'sessionMode',
    'provider',
  ])) {
    if (v[name] !== '') out[name] = v[name];
  }
  // Optional strings: blank clears them.
  out.awsRegion = v.provider === 'bedrock' ? v.awsRegion : null;
  if (v.ticketing === 'jira') {
    out.jql = v.jql;
    out.repoFieldValue = v.repoFieldValue;
  }
  if (v.ticketing === 'github') out.issuesRepo = v.issuesRepo === '' ? null : v.issuesRepo;
  // The machine's size is Fly's alone (its fields show only then): a value left from an earlier
  // choice of runner is not sent, as the stepper does not check it either.
  const numbers =
    v.executionMode === 'fly-machines' ? ['machineCpus', 'machineMemoryMb', 'maxInProgressAiIssues'] : ['maxInProgressAiIssues'];
  for (const name of /** @type {('machineCpus' | 'machineMemoryMb' | 'maxInProgressAiIssues')[]} */ (numbers)) {
    if (v[name] !== '') out[name] = Number(v[name]);
  }
  for (const name of [...CAPS, ...BUDGETS]) out[name] = v[name] === '' ? null : Number(v[name]);
  for (const name of /** @type {const} */ (['planningEnabled', 'autoApprovePlans', 'paused'])) out[name] = v[name];
  const env = parseExtraEnv(v.extraEnv);
  if ('message' in env) return { error: env.message };
  out.extraEnv = env.env;
  return { body: out };
}

/**
 * The first step before `upTo` (exclusive) with a problem, and its problems; undefined when all pass.
 * @param {FormValues} v @param {number} upTo @param {string[]} [taken] as checkStep's
 */
export function firstFailingStep(v, upTo, taken = []) {
  for (let step = 0; step < upTo; step++) {
    const problems = checkStep(step, v, taken);
    if (problems.length > 0) return { step, problems };
  }
  return undefined;
}

/**
 * The field a server message is about: its first word when that names a field; for the shared
 * "teamKey, owner, and repo are required", the first of the three that is blank.
 * @param {string} message @param {FormValues} v
 * @returns {string | undefined}
 */
export function fieldOfMessage(message, v) {
  if (message === MESSAGES.required) {
    return ['teamKey', 'owner', 'repo'].find((f) => v[/** @type {'teamKey' | 'owner' | 'repo'} */ (f)] === '') ?? 'teamKey';
  }
  const first = /^([A-Za-z]+)\b/.exec(message)?.[1];
  return first !== undefined && first in FIELD_STEP ? first : undefined;
}
