import { parse } from 'yaml';
import { z } from 'zod';
import type { PipelineDefinition } from '../ports/pipeline.port.js';

const stepSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, { error: 'step id must be lowercase letters, digits and dashes' }),
  module: z.string().min(1, { error: 'module is required' }),
  settings: z.record(z.string(), z.unknown()).optional(),
});

const pipelineSchema = z.strictObject({
  name: z.string().min(1).optional(),
  phase: z.enum(['planning', 'implementation', 'gap-analysis'], {
    error: 'phase must be planning, implementation or gap-analysis',
  }),
  description: z.string().optional(),
  steps: z.array(stepSchema).min(1, { error: 'steps must list at least one step' }),
});

/** zod issues as `path: message` lines, never the offending values. */
export function describeZodError(error: z.ZodError): string {
  return error.issues.map((i) => (i.path.length > 0 ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ');
}

/** A pipeline's name: what its file is called, and what sessions and the admin show. */
export const PIPELINE_NAME = /^[a-z0-9][a-z0-9-]*$/;

/**
 * Checks a pipeline given as data — a YAML file's content or `definePipeline`'s argument — by
 * the one schema every pipeline obeys, built-in or custom: a phase, at least one step, step ids
 * unique within the pipeline. Whether each step's module exists and its settings parse is the
 * loader's check, made with the final set of modules.
 */
export function validatePipeline(
  raw: unknown,
  name: string,
  /** Where the name comes from, for the mismatch message. */
  namedBy = `it is named "${name}"`,
): { ok: PipelineDefinition } | { problem: string } {
  const parsed = pipelineSchema.safeParse(raw);
  if (!parsed.success) return { problem: describeZodError(parsed.error) };
  if (parsed.data.name !== undefined && parsed.data.name !== name) {
    return { problem: `declares name "${parsed.data.name}" but ${namedBy}; they must agree` };
  }
  const seen = new Set<string>();
  for (const step of parsed.data.steps) {
    if (seen.has(step.id)) return { problem: `step id "${step.id}" appears twice` };
    seen.add(step.id);
  }
  return {
    ok: {
      name,
      phase: parsed.data.phase,
      steps: parsed.data.steps.map((s) => ({ id: s.id, module: s.module, ...(s.settings ? { settings: s.settings } : {}) })),
    },
  };
}

/**
 * Parses one pipeline file. The pipeline's name is its file name (`implementation.yml` is
 * `implementation`); a `name:` inside must agree.
 */
export function parsePipeline(text: string, fileName: string): { ok: PipelineDefinition } | { problem: string } {
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (error) {
    return { problem: `invalid YAML: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}` };
  }
  return validatePipeline(raw, fileName.replace(/\.ya?ml$/, ''), `the file is named ${fileName}`);
}
