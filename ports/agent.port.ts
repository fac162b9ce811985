import type { UsageReport } from '../core/domain/usage.js';

/** One invocation of a coding agent CLI inside a session workspace. */
export interface AgentInvocation {
  cwd: string;
  prompt: string;
  model?: string;
  maxTurns: number;
  env: Record<string, string>;
  timeoutMs: number;
  /** Aborting stops the agent process as a timeout does (the run's own deadline, an abort). */
  signal?: AbortSignal;
  /**
   * Called with the invocation's usage so far (cumulative) whenever the agent reports more:
   * the session's budget check and its usage reports ride on it.
   */
  onUsage?: (usage: UsageReport) => void;
}

/** `usage`: what the agent reported it spent (absent when it reported nothing: not zero). */
export type AgentOutcome = (
  | { kind: 'finished'; turns: number; output: string }
  | { kind: 'maxTurns'; turns: number; output: string }
  | { kind: 'failed'; exitCode: number; output: string }
  | { kind: 'timedOut'; output: string }
) & { usage?: UsageReport };

/**
 * Agent — the coding agent (Claude Code by default). The runtime enforces `maxTurns` and
 * `timeoutMs` itself: past either the agent process is stopped, not merely told.
 */
export interface Agent {
  run(invocation: AgentInvocation): Promise<AgentOutcome>;
}
