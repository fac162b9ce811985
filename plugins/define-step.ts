import type { z } from 'zod';
import type { Step } from '../ports/pipeline.port.js';
import type { RunContext, ServiceFactory, ServicesFor, StepNeed } from './run-context.js';

/** How a step ended. `output` is a small summary sent with the step's progress report. */
export type StepOutcome = ({ status: 'succeeded' | 'skipped' } | { status: 'failed'; message: string }) & { output?: unknown };

export interface StepDefinition<N extends readonly StepNeed[], S extends z.ZodType> {
  /** The module id pipelines name it by; a custom step with a built-in's name replaces it. */
  name: string;
  /**
   * Container keys it needs, checked when the plugins are loaded (boot): the built-ins
   * (`agent`, `forge`, `shell`, `status`, `clock`) or any key a loaded step `provides`.
   */
  needs: N;
  /**
   * Services it adds to the run's container by key, for any step to need (itself included).
   * A key must not shadow a built-in or another step's; each is built once, on first need.
   */
  provides?: Readonly<Record<string, ServiceFactory>>;
  /** Its settings schema; a pipeline's settings for it are parsed at boot. */
  config: S;
  run(ctx: RunContext, services: ServicesFor<N[number]>, settings: z.output<S>): Promise<StepOutcome>;
}

/** The services a step receives, as the runtime holds them: its needs by key. */
export type StepServicesByKey = Readonly<Record<string, unknown>>;

/** A step as the loader and the runtime hold it. */
export interface DefinedStep extends Step<RunContext, StepServicesByKey, unknown> {
  readonly kind: 'ai-implement-step';
  readonly config: z.ZodType;
  readonly provides: Readonly<Record<string, ServiceFactory>>;
  run(ctx: RunContext, services: StepServicesByKey, settings: unknown): Promise<StepOutcome>;
}

/** A declaration missing a part or with a part of the wrong kind; the loader reports it against the file. */
export class StepDeclarationError extends Error {
  override name = 'StepDeclarationError';
}

/** What is wrong with a declaration made without the types (plain JavaScript), if anything. */
function declarationProblem(
  d: Partial<Record<keyof StepDefinition<readonly StepNeed[], z.ZodType>, unknown>>,
): string | undefined {
  if (typeof d.name !== 'string' || d.name === '') return 'name must be a non-empty string';
  if (!Array.isArray(d.needs) || !d.needs.every((need) => typeof need === 'string')) {
    return 'needs must be an array of container keys (`[]` for none)';
  }
  const provides = d.provides ?? {};
  if (typeof provides !== 'object' || provides === null || !Object.values(provides).every((f) => typeof f === 'function')) {
    return 'provides must map each key to a factory function';
  }
  if (typeof (d.config as { parse?: unknown } | null | undefined)?.parse !== 'function') {
    return 'config must be a zod schema (`z.object({})` for no settings; `z` from ai-implement/plugins)';
  }
  if (typeof d.run !== 'function') return 'run must be a function';
  return undefined;
}

/**
 * Declares a pipeline step (built-in or custom) the way fastify declares a plugin: its name,
 * what it needs from the container (and adds to it), its settings schema, and `run`.
 *
 * ```ts
 * import { defineStep, z } from 'ai-implement/plugins';
 *
 * export default defineStep({
 *   name: 'open-pr',
 *   needs: ['forge', 'status'],
 *   config: z.object({ draft: z.boolean().default(false) }),
 *   run: async (ctx, { forge }, settings) => ({ status: 'succeeded' }),
 * });
 * ```
 */
export function defineStep<const N extends readonly StepNeed[], S extends z.ZodType>(
  definition: StepDefinition<N, S>,
): DefinedStep {
  const problem = declarationProblem(definition ?? {});
  if (problem) {
    const name = typeof definition?.name === 'string' && definition.name !== '' ? ` "${definition.name}"` : '';
    throw new StepDeclarationError(`defineStep${name}: ${problem}`);
  }
  return {
    kind: 'ai-implement-step',
    name: definition.name,
    needs: [...definition.needs],
    provides: { ...definition.provides },
    config: definition.config,
    parseSettings: (raw) => definition.config.parse(raw ?? {}),
    run: (ctx, services, settings) => definition.run(ctx, services as ServicesFor<N[number]>, settings as z.output<S>),
  };
}

export function isDefinedStep(value: unknown): value is DefinedStep {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<Record<keyof DefinedStep, unknown>>;
  return (
    v.kind === 'ai-implement-step' &&
    typeof v.name === 'string' &&
    Array.isArray(v.needs) &&
    v.needs.every((need) => typeof need === 'string') &&
    typeof v.provides === 'object' &&
    v.provides !== null &&
    Object.values(v.provides).every((factory) => typeof factory === 'function') &&
    typeof (v.config as { parse?: unknown } | null | undefined)?.parse === 'function' &&
    typeof v.parseSettings === 'function' &&
    typeof v.run === 'function'
  );
}
