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

/**
 * Parses one pipeline file. The pipeline's name is its file name (`implementation.yml` is
 * `implementation`); a `name:` inside must agree. Step ids are unique within the pipeline.
 */
export function parsePipeline(text: string, fileName: string): { ok: PipelineDefinition } | { problem: string } {
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (error) {
    return { problem: `invalid YAML: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}` };
  }
  const parsed = pipelineSchema.safeParse(raw);
  if (!parsed.success) return { problem: describeZodError(parsed.error) };
  const name = fileName.replace(/\.ya?ml$/, '');
  if (parsed.data.name !== undefined && parsed.data.name !== name) {
    return { problem: `declares name "${parsed.data.name}" but the file is named ${fileName}; they must agree` };
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
