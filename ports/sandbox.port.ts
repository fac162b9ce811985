/** A program to start: what a sandbox is given, and what it gives back to spawn instead. */
export interface SandboxCommand {
  argv: string[];
  cwd: string;
  env: Record<string, string>;
}

export interface SandboxRequest extends SandboxCommand {
  /** Directories the command may write (the workspace); everything else it sees is read-only or absent. */
  writable: string[];
  /**
   * Needs no network (git on the working tree): the sandbox gives it none at all, not even
   * the egress proxy. Without it, a sandbox with an egress allow-list shows the command only
   * the proxy (`HTTP(S)_PROXY`), which lets allow-listed hosts through.
   */
  offline?: boolean;
  /**
   * Talks to the model API (the agent): a sandbox that keeps the model credentials outside
   * points `ANTHROPIC_BASE_URL` (and, for Bedrock, `ANTHROPIC_BEDROCK_BASE_URL`) at the
   * session's credential-adding proxy for this command only.
   */
  modelApi?: boolean;
}

/**
 * Sandbox — confines what the agent and the repository control (the agent CLI, the
 * verification script, installs, git on the working tree). `wrap` returns the command that
 * runs `argv` confined; the caller spawns it as it would the original (process group, kill).
 */
export interface Sandbox {
  /** `bwrap` confines; `none` runs the command as given (only when the operator said so). */
  readonly kind: 'bwrap' | 'none';
  wrap(request: SandboxRequest): SandboxCommand;
}
