import { z } from 'zod';
import type { Schema } from './openapi-builders.js';

/** zod leaves the safe-integer bounds on every `.int()`; they say nothing a reader needs. */
const NOISE = new Set([Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER]);

/**
 * zod → OpenAPI 3.0 schema objects for one document. A schema named with `meta({ id })` is
 * written once under `components.schemas` and referenced; everything else is inlined. Bodies
 * and answers alike are described as their input (what goes over the wire before any zod
 * transform or default).
 */
export function createSchemaConverter() {
  const components: Record<string, Schema> = {};

  function convert(schema: z.ZodType): Schema {
    const id = idOf(schema);
    if (id && components[id]) return ref(id);
    const json = z.toJSONSchema(schema, { target: 'openapi-3.0', io: 'input', unrepresentable: 'any' }) as Schema;
    const { definitions, ...rest } = json as Schema & { definitions?: Record<string, Schema> };
    for (const [name, def] of Object.entries(definitions ?? {})) components[name] ??= tidy(def) as Schema;
    const body = tidy(rest) as Schema;
    if (!id) return body;
    // zod answers a named root as a `$ref` to its own definition, already collected above.
    if (!components[id]) {
      delete body.id;
      components[id] = body;
    }
    return ref(id);
  }

  return { convert, components };
}

export const ref = (id: string): Schema => ({ $ref: `#/components/schemas/${id}` });

export function idOf(schema: z.ZodType): string | undefined {
  const id = z.globalRegistry.get(schema)?.id;
  return typeof id === 'string' ? id : undefined;
}

export function descriptionOf(schema: z.ZodType): string | undefined {
  return z.globalRegistry.get(schema)?.description;
}

/** References point into components; zod's safe-integer bounds and `$schema` go. */
function tidy(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(tidy);
  if (typeof node !== 'object' || node === null) return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === '$schema') continue;
    if ((key === 'maximum' || key === 'minimum') && NOISE.has(value as number)) continue;
    out[key] =
      key === '$ref' && typeof value === 'string' ? value.replace('#/definitions/', '#/components/schemas/') : tidy(value);
  }
  return out;
}
