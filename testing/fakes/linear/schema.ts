/**
 * Linear's published GraphQL schema (a copy of vendor-specs/linear-schema.graphql, from the
 * public SDK repository), built once per process: building it takes a few hundred
 * milliseconds, and every fake server in a test run shares it.
 */
import { readFileSync } from 'node:fs';
import {
  buildSchema,
  GraphQLError,
  type GraphQLFieldResolver,
  type GraphQLOutputType,
  type GraphQLSchema,
  isEnumType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
} from 'graphql';

let cached: GraphQLSchema | undefined;

export function linearSchema(): GraphQLSchema {
  cached ??= buildSchema(readFileSync(new URL('./linear-schema.graphql', import.meta.url), 'utf8'), { assumeValidSDL: true });
  return cached;
}

const EPOCH = new Date(0).toISOString();

/**
 * The value Linear would never leave empty: the SDK's documents select dozens of non-null
 * fields the fake has no reason to model (`sortOrder`, `sharedAccess`, `reactions`, …); each
 * resolves to a neutral value of its type so that any query Linear accepts also executes here.
 */
function neutral(type: GraphQLOutputType): unknown {
  if (!isNonNullType(type)) return null;
  const inner = type.ofType;
  if (isListType(inner)) return [];
  if (isEnumType(inner)) return inner.getValues()[0]?.value ?? null;
  if (isObjectType(inner)) return {};
  if (isScalarType(inner)) {
    switch (inner.name) {
      case 'Int':
      case 'Float':
        return 0;
      case 'Boolean':
        return false;
      case 'DateTime':
        return EPOCH;
      case 'TimelessDate':
        return EPOCH.slice(0, 10);
      case 'JSON':
      case 'JSONObject':
        return {};
      default:
        return '';
    }
  }
  return null;
}

/**
 * Reads a property (calling it with the field's arguments when it is a function), else the
 * neutral value. A root query or mutation the fake does not model fails loudly instead: an
 * empty answer there would pass for data.
 */
export const fieldResolver: GraphQLFieldResolver<unknown, unknown> = (source, args, context, info) => {
  const value = source && typeof source === 'object' ? (source as Record<string, unknown>)[info.fieldName] : undefined;
  if (typeof value === 'function') return value.call(source, args, context, info);
  if (value !== undefined) return value;
  if (info.path.prev === undefined) {
    throw new GraphQLError(`fake linear does not model ${info.parentType.name}.${info.fieldName}`, {
      extensions: { type: 'internal error', code: 'INTERNAL_ERROR', statusCode: 500, userError: false },
    });
  }
  return neutral(info.returnType);
};
