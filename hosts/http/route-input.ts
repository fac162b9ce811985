import type { H3Event } from 'h3';
import { err, ok, type Result } from 'neverthrow';
import { z } from 'zod';
import { isPlainObject } from '../../core/domain/mappings.js';
import { readJson, readRawBody } from './body.js';
import type { HttpError } from './errors.js';
import type { BodySpec } from './route.js';

/**
 * A route's body, read as its spec says and parsed by its schema: 413 for an oversized body
 * always; the route's `notJson` answer for one that is not JSON (or not an object, for
 * `read: 'object'`); the route's `invalid` answer for zod's first issue.
 */
export async function readRouteBody(event: H3Event, spec: BodySpec | undefined): Promise<Result<unknown, HttpError>> {
  if (!spec) return ok(undefined);
  const read = spec.read ?? 'json';
  if (read === 'raw') return readRawBody(event);

  const raw = await readJson(event, undefined, { optional: read === 'optional' });
  const value =
    raw.isOk() && read === 'object' && !isPlainObject(raw.value) ? err<unknown, HttpError>({ kind: 'invalidBody' }) : raw;
  if (value.isErr()) {
    if (value.error.kind === 'tooLarge') return err(value.error);
    if (spec.notJson === 'undefined') return ok(undefined);
    return err(spec.notJson ?? { kind: 'invalidBody' });
  }
  if (spec.rejectUnknownFields) {
    const unknown = unknownField(spec.schema, value.value);
    if (unknown !== undefined) return err({ kind: 'invalid', message: `${UNKNOWN_FIELD}${unknown}` });
  }
  if (spec.judgedByUseCase) return ok(value.value);

  const parsed = spec.schema.safeParse(value.value);
  if (parsed.success) return ok(parsed.data);
  const issue = parsed.error.issues[0];
  if (!issue) return err({ kind: 'invalidBody' });
  return err(spec.invalid ? spec.invalid(issue) : { kind: 'invalid', message: issue.message });
}

/** The 400 message of a field a body's schema does not name (issue 12 item 8). */
export const UNKNOWN_FIELD = 'Unknown field: ';

const strictShapes = new WeakMap<z.ZodType, z.ZodType>();

/**
 * The first field of `value` that the object schema does not name, by zod's strict object over
 * the schema's fields (whatever their values: the schema or the use case judges those).
 */
function unknownField(schema: z.ZodType, value: unknown): string | undefined {
  if (!(schema instanceof z.ZodObject)) throw new Error('rejectUnknownFields needs an object schema');
  let strict = strictShapes.get(schema);
  if (!strict) {
    strict = z.strictObject(Object.fromEntries(Object.keys(schema.shape).map((key) => [key, z.unknown()])));
    strictShapes.set(schema, strict);
  }
  const issue = strict.safeParse(value).error?.issues.find((i) => i.code === 'unrecognized_keys');
  return issue?.code === 'unrecognized_keys' ? issue.keys[0] : undefined;
}
