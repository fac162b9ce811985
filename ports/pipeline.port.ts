import type { Phase } from '../core/domain/model.js';

/** A pipeline definition: an ordered list of steps by module id, with their settings. */
export interface PipelineDefinition {
  name: string;
  phase: Phase;
  steps: { id: string; module: string; settings?: Record<string, unknown> }[];
}

export type StepStatus = 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped';

/** What one step reports: the shape of `/api/step-report` and `/runner/progress`. */
export interface StepReport {
  id: string;
  type: string;
  status: StepStatus | string;
  started_at: string;
  finished_at?: string;
  output?: unknown;
}

/**
 * Step — one unit of a pipeline. A step declares its `name`, the container keys it `needs`
 * (checked at boot) and its settings schema; `run` gets the run context and those services.
 * A step throws only on a broken invariant; an expected failure is a returned `failed`
 * outcome with the spec's run failure message.
 */
export interface Step<Ctx = unknown, Services = Record<string, unknown>, Settings = unknown> {
  name: string;
  needs: string[];
  parseSettings(raw: unknown): Settings;
  run(
    ctx: Ctx,
    services: Services,
    settings: Settings,
  ): Promise<{ status: 'succeeded' | 'skipped' } | { status: 'failed'; message: string }>;
}
