/**
 * The domain vocabulary shared by every layer. Plain data only: times are epoch
 * milliseconds, ids are strings minted outside the core.
 */

export type Phase = 'planning' | 'implementation' | 'gap-analysis';

export type JobStatus = 'unknown' | 'dispatched' | 'running' | 'completed' | 'review_failed' | 'failed' | 'timed_out';

export type TimedOutReason = 'container_timeout' | 'machine_timeout' | 'run_not_found' | 'timed_out';

/** The issue lifecycle stages of the spec ("Issue lifecycle" table). */
export type Stage =
  | 'triggered'
  | 'planning'
  | 'plan_complete'
  | 'implementing'
  | 'pr_opened'
  | 'planning_failed'
  | 'implementation_failed';

export type Provider = 'anthropic' | 'bedrock';
export type ExecutionMode = 'github-actions' | 'fly-machines';
export type SessionMode = 'autonomous' | 'interactive' | 'hybrid';
/** The global runner-mode override (`/api/runner-mode`). `default` follows each mapping. */
export type RunnerMode = 'default' | 'gha' | 'fly' | 'local' | 'shadow';
/** The runner that actually executes a job once the override is applied. */
export type RunnerKind = 'github-actions' | 'fly-machines' | 'local' | 'shadow';
export type TicketingKind = 'linear' | 'jira' | 'github' | 'local';
export type ForgeKind = 'github' | 'local';

/** A project mapping: one ticketing scope connected to one repository. */
export interface Mapping {
  /** Linear team key, Jira project key, or local tracker team key; the mapping's id. */
  teamKey: string;
  ticketing: TicketingKind;
  /** Jira only: the JQL clause that scopes the mapping. */
  jql?: string;
  /** Jira only: the value of the repo field that selects this repository. */
  repoFieldValue?: string;
  /** GitHub Issues only: another repository of `owner` that holds the issues (default: `repo` itself). */
  issuesRepo?: string;
  forge: ForgeKind;
  owner: string;
  repo: string;
  workflowFile: string;
  defaultBranch: string;
  branchPrefix: string;
  maxInProgressAiIssues: number;
  executionMode: ExecutionMode;
  sessionMode: SessionMode;
  machineCpus: number;
  machineMemoryMb: number;
  planningEnabled: boolean;
  planningWorkflowFile: string;
  autoApprovePlans: boolean;
  provider: Provider;
  awsRegion?: string;
  extraEnv: Record<string, string>;
  /** A stored prompt template's id (`/api/v1/templates`): the session's prompt unless the issue overrides it. */
  promptTemplate?: string;
  paused: boolean;
  maxTurns?: number;
  maxIterations?: number;
  maxJobMinutes?: number;
  /** Per run: the agent is stopped once its run has cost this many dollars (issue 17). */
  maxCostUsd?: number;
  /** Per run: the agent is stopped once its run has used this many tokens (every kind). */
  maxTokens?: number;
  /** Per team per UTC day: past it no new run of the team starts until 00:00 UTC. */
  dailyBudgetUsd?: number;
  createdAt: number;
  updatedAt: number;
}

/** A link from one issue to an issue that blocks it. */
export interface BlockingRelation {
  identifier: string;
  /** True while the blocking issue is not done or cancelled. */
  open: boolean;
}

/** An issue as the ticketing system shows it, normalised across trackers. */
export interface TicketIssue {
  /** The tracker's stable id (Linear uuid, Jira id, local id). */
  id: string;
  /** The human key, e.g. `ENG-123`. */
  identifier: string;
  /** The mapping scope the issue belongs to (team key). */
  teamKey: string;
  title: string;
  description?: string;
  url: string;
  /** Linear's scale: 0 none, 1 urgent, 2 high, 3 medium, 4 low. */
  priority: number;
  createdAt: number;
  stage: Stage;
  /** True when an issue at Plan complete may go on to implementation. */
  planApproved?: boolean;
  labels: string[];
  /** The tracker's own workflow state name (Linear state, Jira status). */
  state?: string;
  /** The tracker's state type: `started`, `completed`, `cancelled`, … */
  stateType?: string;
  blockedBy: BlockingRelation[];
}

export interface Job {
  id: string;
  issueId: string;
  identifier: string;
  teamKey: string;
  owner: string;
  repo: string;
  phase: Phase;
  status: JobStatus;
  timedOutReason?: TimedOutReason;
  /** 1 for the first dispatch of an issue's phase, 2 for the next, … */
  dispatchNumber: number;
  runner: RunnerKind;
  dispatchedAt: number;
  updatedAt: number;
  runId?: string;
  runUrl?: string;
  machineId?: string;
  prUrl?: string;
  prNumber?: number;
  error?: string;
  /** What a run that did nothing says of itself (a shadow dry run: `DRY_RUN_NOTE`). */
  note?: string;
}

/** One issue in the 24-hour dedup window. */
export interface DedupEntry {
  issueId: string;
  identifier: string;
  title: string;
  teamKey: string;
  phase: Phase;
  dispatchedAt: number;
}

export interface DispatchLogEntry {
  id: string;
  at: number;
  jobId: string;
  issueId: string;
  identifier: string;
  teamKey: string;
  owner: string;
  repo: string;
  phase: Phase;
  runner: RunnerKind;
  dispatchNumber: number;
  sessionImage?: string;
}
