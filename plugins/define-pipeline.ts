import type { Phase } from '../core/domain/model.js';
import type { PipelineDefinition } from '../ports/pipeline.port.js';
import { PIPELINE_NAME, validatePipeline } from './pipeline-definition.js';

/** One step of a pipeline: its id within the pipeline, the step module it runs, its settings. */
export interface PipelineStepDeclaration {
  id: string;
  module: string;
  settings?: Record<string, unknown>;
}

/** What a pipeline file in TypeScript declares; the same fields as a pipeline's YAML. */
export interface PipelineDeclaration {
  /** Must equal the file's name (`custom/pipelines/<name>.pipeline.ts`). */
  name: string;
  phase: Phase;
  description?: string;
  steps: readonly PipelineStepDeclaration[];
}

/** A pipeline as the loader holds it. */
export interface DefinedPipeline extends PipelineDefinition {
  readonly kind: 'ai-implement-pipeline';
}

/** A declaration the pipeline schema refuses; the loader reports it against the file. */
export class PipelineDeclarationError extends Error {
  override name = 'PipelineDeclarationError';
}

/**
 * Declares a pipeline in code, checked at once by the same schema as the YAML built-ins (a
 * phase, at least one step, unique step ids); the loader then checks each step's module and
 * settings as it does for YAML.
 *
 * ```ts
 * import { definePipeline } from 'ai-implement/plugins';
 *
 * export default definePipeline({
 *   name: 'docs-only',
 *   phase: 'implementation',
 *   steps: [{ id: 'clone', module: 'clone' }, { id: 'lint', module: 'lint', settings: { fix: true } }],
 * });
 * ```
 */
export function definePipeline(declaration: PipelineDeclaration): DefinedPipeline {
  const name: unknown = declaration?.name;
  if (typeof name !== 'string' || !PIPELINE_NAME.test(name)) {
    throw new PipelineDeclarationError('definePipeline: name must be lowercase letters, digits and dashes');
  }
  const checked = validatePipeline(declaration, name);
  if ('problem' in checked) throw new PipelineDeclarationError(`definePipeline "${name}": ${checked.problem}`);
  return { kind: 'ai-implement-pipeline', ...checked.ok };
}

export function isDefinedPipeline(value: unknown): value is DefinedPipeline {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<Record<keyof DefinedPipeline, unknown>>;
  return v.kind === 'ai-implement-pipeline' && typeof v.name === 'string' && Array.isArray(v.steps);
}
