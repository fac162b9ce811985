import type { Generated } from 'kysely';

/** Which SQL engine a store runs on; only the DDL and the transaction start differ by it. */
export type SqlKind = 'sqlite' | 'postgres';

/**
 * The tables as the queries see them. Rows whose shape belongs to the domain (a job, a
 * mapping) are kept whole as JSON in `data`; the columns beside it are the ones a query
 * filters, orders or compare-and-sets on. Times are epoch milliseconds (bigint).
 */
export interface SqlDatabase {
  mappings: { team_key: string; data: string };
  jobs: {
    id: string;
    issue_id: string;
    /** The issue's identifier in upper case: the identifier lookup is case-insensitive. */
    identifier: string;
    team_key: string;
    phase: string;
    status: string;
    dispatched_at: number;
    updated_at: number;
    /** The job's `machineId`, and its `runId` when it ran on Fly Machines: the `machine` filter's two indexes. */
    machine_id: string | null;
    fly_run_id: string | null;
    data: string;
  };
  /** How many jobs there are of each phase and status, kept by triggers on `jobs` (migration 0010); a row may hold 0. */
  job_tally: { phase: string; status: string; n: number };
  dedup: { issue_id: string; dispatched_at: number; data: string };
  /** Insertion order is `seq`: the newest entry has the highest. */
  dispatch_log: { seq: Generated<number>; data: string };
  settings: { key: string; value: string };
  /** `expires_at` null: the claim lives until released. */
  claims: { key: string; expires_at: number | null };
  /** A released lease keeps its row (expires_at 0) so that the next holder's fence still grows. */
  leases: { name: string; owner: string; fence: number; expires_at: number };
  counters: { name: string; value: number };
  documents: { collection: string; id: string; data: string };
  /**
   * One table for every stream; `pos` (1, 2, 3… per stream, unique with it) orders its entries.
   * `seq` is PostgreSQL's only (SQLite keys the table by (stream, pos) itself, migration 0011).
   */
  stream_entries: { seq: Generated<number>; stream: string; pos: number; data: string };
  /** `data` is the event without its body; `body` beside it is read only for one event. */
  connector_events: {
    id: string;
    direction: string;
    source: string;
    outcome: string;
    delivery_id: string | null;
    received_at: number;
    data: string;
    body: string | null;
  };
  /** One row per group; `fingerprint` finds the active group a new sighting joins. */
  security_events: {
    id: string;
    fingerprint: string;
    kind: string;
    classification: string | null;
    status: string;
    source: string;
    last_seen: number;
    data: string;
  };
  /**
   * The notification delivery queue: the columns a worker claims and the listing filters on;
   * `data` holds the channel's route, the message and the attempts.
   */
  notifications: {
    id: string;
    status: string;
    channel: string;
    created_at: number;
    updated_at: number;
    next_attempt_at: number;
    claimed_by: string | null;
    claim_until: number | null;
    data: string;
  };
  /** One row per reported run (ports/usage-store.port.ts); `cost_usd` null: not priced. */
  usage_runs: {
    job_id: string;
    issue_id: string;
    identifier: string;
    team_key: string;
    phase: string;
    /** '' when the agent did not say. */
    model: string;
    day: string;
    reported_at: number;
    input_tokens: number;
    output_tokens: number;
    cache_read_tokens: number;
    cache_creation_tokens: number;
    cost_usd: number | null;
    turns: number | null;
    final: number;
    stopped: number;
  };
}
