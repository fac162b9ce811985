import type { z } from 'zod';
import type { Step } from '../ports/pipeline.port.js';
import type { RunContext, StepServiceKey, StepServices } from './run-context.js';

/** How a step ended. `output` is a small summary sent with the step's progress report. */
export type StepOutcome = ({ status: 'succeeded' | 'skipped' } | { status: 'failed'; message: string }) & { output?: unknown };

export interface StepDefinition<N extends readonly StepServiceKey[], S extends z.ZodType> {
  /** The module id pipelines name it by; a custom step with a built-in's name replaces it. */
  name: string;
  /** Container keys it needs, checked when the plugins are loaded (boot). */
  needs: N;
  /** Its settings schema; a pipeline's settings for it are parsed at boot. */
  config: S;
  run(ctx: RunContext, services: Pick<StepServices, N[number]>, settings: z.output<S>): Promise<StepOutcome>;
}

/** A step as the loader and the runtime hold it. */
export interface DefinedStep extends Step<RunContext, Partial<StepServices>, unknown> {
  readonly kind: 'ai-implement-step';
  readonly config: z.ZodType;
  run(ctx: RunContext, services: Partial<StepServices>, settings: unknown): Promise<StepOutcome>;
}

/**
 * Declares a pipeline step (built-in or custom) the way fastify declares a plugin: its name,
 * what it needs from the container, its settings schema, and `run`.
 *
 * ```ts
 * export default defineStep({
 *   name: 'open-pr',
 *   needs: ['forge', 'status'],
 *   config: z.object({ draft: z.boolean().default(false) }),
 *   run: async (ctx, { forge }, settings) => ({ status: 'succeeded' }),
 * });
 * ```
 */
export function defineStep<const N extends readonly StepServiceKey[], S extends z.ZodType>(
  definition: StepDefinition<N, S>,
): DefinedStep {
  return {
    kind: 'ai-implement-step',
    name: definition.name,
    needs: [...definition.needs],
    config: definition.config,
    parseSettings: (raw) => definition.config.parse(raw ?? {}),
    run: (ctx, services, settings) => definition.run(ctx, services as Pick<StepServices, N[number]>, settings as z.output<S>),
  };
}

export function isDefinedStep(value: unknown): value is DefinedStep {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { kind?: unknown }).kind === 'ai-implement-step' &&
    typeof (value as { name?: unknown }).name === 'string' &&
    Array.isArray((value as { needs?: unknown }).needs) &&
    typeof (value as { run?: unknown }).run === 'function'
  );
}
