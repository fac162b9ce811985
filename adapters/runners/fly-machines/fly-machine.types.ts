/**
 * The part of Fly's Machines API schema this adapter reads and writes (components
 * `CreateMachineRequest`, `Machine`, `fly.MachineConfig`, `fly.MachineGuest` of the published
 * OpenAPI description). Fields Fly adds are ignored.
 */

/** Fly's machine states; `listSessions` counts `created`, `starting` and `started` as alive. */
export type FlyMachineState =
  | 'created'
  | 'starting'
  | 'started'
  | 'stopping'
  | 'stopped'
  | 'suspending'
  | 'suspended'
  | 'replacing'
  | 'destroying'
  | 'destroyed'
  | 'failed';

export interface FlyMachineGuest {
  cpu_kind?: string;
  cpus?: number;
  memory_mb?: number;
}

export interface FlyMachineConfig {
  image?: string;
  /** What the machine runs instead of the image's own command. */
  init?: { cmd?: string[]; entrypoint?: string[] };
  env?: Record<string, string>;
  guest?: FlyMachineGuest;
  metadata?: Record<string, string>;
  auto_destroy?: boolean;
  restart?: { policy?: 'no' | 'always' | 'on-failure'; max_retries?: number };
}

export interface FlyCreateMachineRequest {
  name?: string;
  region?: string;
  config: FlyMachineConfig;
  skip_launch?: boolean;
}

export interface FlyMachine {
  id: string;
  name?: string;
  state: string;
  region?: string;
  instance_id?: string;
  private_ip?: string;
  config?: FlyMachineConfig;
  created_at?: string;
  updated_at?: string;
}

/** The metadata keys a session machine carries, so a listing maps back to jobs and issues. */
export const SESSION_METADATA = {
  jobId: 'job_id',
  issue: 'issue',
  owner: 'owner',
  repo: 'repo',
} as const;
