import type { RunCaps } from '../core/domain/caps.js';
import type { ProgressEvent } from '../core/domain/comments.js';
import type { ForgeKind, Phase } from '../core/domain/model.js';
import type { Agent } from '../ports/agent.port.js';
import type { Clock } from '../ports/clock.port.js';
import type { Forge } from '../ports/forge.port.js';

/** What one shell command did. `output` is stdout and stderr interleaved, its tail only. */
export interface ShellResult {
  exitCode: number;
  output: string;
  /** True when the command was stopped (timeout or the run's abort), not finished. */
  killed: boolean;
}

export interface ShellCommand {
  /** argv; the first entry is the program (no shell unless you ask for `sh -c`). */
  argv: string[];
  cwd: string;
  env: Record<string, string>;
  timeoutMs: number;
  signal?: AbortSignal;
  /**
   * Directories the command may write; `[cwd]` unless told. Everything the shell runs is
   * sandboxed (the repository controls scripts, hooks and git config), seeing only these.
   */
  writable?: string[];
  /** Needs no network (git on the working tree): the sandbox gives it none, not even the egress proxy. */
  offline?: boolean;
  /**
   * Runs outside the sandbox: only for the session's own credentialed git (clone, push), which
   * must then not read anything the repository controls (`plugins/steps/shared/git.ts`).
   */
  unsandboxed?: boolean;
}

/** Runs programs in the workspace (git, the package manager, the verification script). */
export interface Shell {
  run(command: ShellCommand): Promise<ShellResult>;
}

/** Posts a lifecycle status event (`POST /api/status`), which becomes a ticket comment. */
export type StatusReporter = (event: ProgressEvent) => Promise<void>;

/**
 * The built-in services a step may ask for by name in `needs`, typed. The session runtime's
 * container registers these keys plus every service a loaded step `provides`; the plugin
 * loader refuses a step that needs a key neither supplies.
 */
export interface StepServices {
  agent: Agent;
  forge: Forge;
  shell: Shell;
  status: StatusReporter;
  clock: Clock;
}

export type StepServiceKey = keyof StepServices;

export const STEP_SERVICE_KEYS: readonly StepServiceKey[] = ['agent', 'forge', 'shell', 'status', 'clock'];

/** A key a step may need: one of the typed built-ins, or any key some step `provides`. */
export type StepNeed = StepServiceKey | (string & {});

/** What `run` receives for its needs: the built-ins typed, a provided service as `unknown` (narrow it). */
export type ServicesFor<N extends string> = { readonly [K in N]: K extends StepServiceKey ? StepServices[K] : unknown };

/** The session container as a provider factory sees it (awilix PROXY: destructure what you use). */
export type StepCradle = StepServices & { readonly [key: string]: unknown };

/** Builds a service a step provides; called at most once per run, when a step first needs it. */
export type ServiceFactory = (cradle: StepCradle) => unknown;

export interface IssueContext {
  id?: string;
  identifier: string;
  title: string;
  description: string;
  url: string;
}

/** A username and password (token) for git over HTTP. */
export interface GitCredential {
  username: string;
  password: string;
}

export interface RepoContext {
  owner: string;
  repo: string;
  forge: ForgeKind;
  /** What `git clone` is given (never with a credential in it: `.git/config` is readable by the agent). */
  cloneUrl: string;
  defaultBranch: string;
  /**
   * The run's repository credential, for the session's own credentialed git only (the clone
   * and the push): handed to git through a credential helper reading a 0600 file outside the
   * sandbox's view, never through the environment or argv, never given to the agent or the scripts.
   */
  credential?: GitCredential;
}

/** What the run reports in its one `/runner/result`, filled in by the steps. */
export interface RunResultDraft {
  comments: { body: string }[];
  prUrl?: string;
  prNumber?: number;
  reviewApproved?: boolean;
  plan?: string;
  /** The agent's own summary of what it did (the last implementation answer). */
  summary?: string;
}

/**
 * One run, as every step sees it. Plain data plus a few callbacks; steps change the mutable
 * fields (`branch`, `models`, `result`, …) to hand things on to later steps.
 */
export interface RunContext {
  readonly jobId: string;
  readonly phase: Phase;
  readonly issue: IssueContext;
  readonly repo: RepoContext;
  /** The branch the run works on and pushes. */
  branch: string;
  /** The pull request the run continues (review changes, gap analysis) or has opened. */
  pullRequest?: { number: number; url: string };
  /** A fresh temporary directory for this run; the repository is cloned to `repoDir`. */
  readonly workspace: string;
  readonly repoDir: string;
  readonly caps: RunCaps;
  /** Model ids from the target repository's WORKFLOW.md / PLANNING.md front matter. */
  models: { planning?: string; implementation?: string };
  /** Prompt templates: the bodies of WORKFLOW.md / PLANNING.md when the repository has them. */
  templates: { planning?: string; implementation?: string };
  /** Implementation: the plan from the planning run, if there was one. */
  plan?: string;
  /** Operator messages that arrived with progress answers, for the agent's next prompt. */
  readonly steering: string[];
  /** The agent's environment: the mapping's extraEnv and secrets, plus PATH and HOME. */
  readonly agentEnv: Record<string, string>;
  /** Values to redact from anything a step reports (tokens, secrets). */
  readonly secretValues: readonly string[];
  /** Aborts when the run's deadline passes or an operator aborts the run. */
  readonly signal: AbortSignal;
  /** Milliseconds left before the run's deadline. */
  remainingMs(): number;
  /** State steps leave for later steps, by key (e.g. `verify.lastFailure`). */
  readonly state: Record<string, unknown>;
  result: RunResultDraft;
  /** A line for the run log (its tail goes with a failure result). */
  log(line: string): void;
}
