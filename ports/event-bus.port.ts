/** One thing that happened in the orchestrator, for SSE, metrics and the audit trail. */
export interface OrchestratorEvent {
  type: string;
  at: number;
  issueId?: string;
  identifier?: string;
  jobId?: string;
  teamKey?: string;
  message?: string;
  data?: Record<string, unknown>;
}

/**
 * EventBus — in-process fan-out. `publish` never throws and never waits for subscribers;
 * a subscriber that throws is isolated from the others. `subscribe` returns its unsubscribe.
 */
export interface EventBus {
  publish(event: OrchestratorEvent): void;
  subscribe(listener: (event: OrchestratorEvent) => void): () => void;
}
