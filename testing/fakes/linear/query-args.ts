/**
 * The two argument families every Linear connection takes: a `filter` (comparators, nested
 * entity filters, collection filters with `some`/`every`, `and`/`or`) and Relay cursor paging.
 * A filter field the fake does not model fails the request loudly instead of matching
 * everything, so a test never passes on a filter that was silently ignored.
 */
import { GraphQLError } from 'graphql';

/** An error shaped the way Linear shapes its GraphQL errors (`extensions.type` is what the SDK reads). */
export function linearError(message: string, type: string, code: string, userPresentableMessage = message): GraphQLError {
  return new GraphQLError(message, {
    extensions: { type, code, statusCode: 400, userError: true, userPresentableMessage },
  });
}

export const entityNotFound = (entity: string) =>
  linearError(`Entity not found: ${entity}`, 'invalid input', 'INPUT_ERROR', `Could not find referenced ${entity}.`);

export type FilterView = { [field: string]: unknown };
type Filter = Record<string, unknown>;

const OPERATORS = new Set([
  'eq',
  'neq',
  'in',
  'nin',
  'lt',
  'lte',
  'gt',
  'gte',
  'eqIgnoreCase',
  'neqIgnoreCase',
  'startsWith',
  'startsWithIgnoreCase',
  'endsWith',
  'contains',
  'containsIgnoreCase',
  'notContains',
  'notContainsIgnoreCase',
  'null',
]);

const isComparator = (cond: Filter) => Object.keys(cond).every((k) => OPERATORS.has(k));

function unsupported(what: string): never {
  throw linearError(`fake linear does not model filter ${what}`, 'graphql error', 'GRAPHQL_VALIDATION_FAILED');
}

function comparable(value: unknown, operand: unknown): [unknown, unknown] {
  if (typeof value === 'number' && typeof operand === 'string') return [value, Date.parse(operand)];
  return [value, operand];
}

function compare(value: unknown, comparator: Filter): boolean {
  return Object.entries(comparator).every(([op, raw]) => {
    if (raw === undefined) return true;
    if (op === 'null') return (value === null || value === undefined) === raw;
    const [v, x] = comparable(value, raw);
    const s = String(v ?? '').toLowerCase();
    const xs = String(x ?? '').toLowerCase();
    switch (op) {
      case 'eq':
        return v === x;
      case 'neq':
        return v !== x;
      case 'in':
        return (raw as unknown[]).some((item) => comparable(value, item)[1] === v);
      case 'nin':
        return !(raw as unknown[]).some((item) => comparable(value, item)[1] === v);
      case 'lt':
        return (v as number) < (x as number);
      case 'lte':
        return (v as number) <= (x as number);
      case 'gt':
        return (v as number) > (x as number);
      case 'gte':
        return (v as number) >= (x as number);
      case 'eqIgnoreCase':
        return s === xs;
      case 'neqIgnoreCase':
        return s !== xs;
      case 'startsWith':
        return String(v).startsWith(String(x));
      case 'startsWithIgnoreCase':
        return s.startsWith(xs);
      case 'endsWith':
        return String(v).endsWith(String(x));
      case 'contains':
        return String(v).includes(String(x));
      case 'containsIgnoreCase':
        return s.includes(xs);
      case 'notContains':
        return !String(v).includes(String(x));
      case 'notContainsIgnoreCase':
        return !s.includes(xs);
      default:
        return unsupported(op);
    }
  });
}

function matchesCollection(items: FilterView[], filter: Filter, path: string): boolean {
  return Object.entries(filter).every(([key, cond]) => {
    if (cond === undefined || cond === null) return true;
    switch (key) {
      case 'and':
        return (cond as Filter[]).every((f) => matchesCollection(items, f, path));
      case 'or':
        return (cond as Filter[]).some((f) => matchesCollection(items, f, path));
      case 'some':
        return items.some((item) => matches(item, cond as Filter, path));
      case 'every':
        return items.every((item) => matches(item, cond as Filter, path));
      case 'length':
        return compare(items.length, cond as Filter);
      default:
        // A field filter directly on a collection means "some item matches" in Linear.
        return items.some((item) => matches(item, { [key]: cond }, path));
    }
  });
}

export function matches(view: FilterView | null, filter: Filter | null | undefined, path = ''): boolean {
  if (!filter) return true;
  return Object.entries(filter).every(([key, cond]) => {
    if (cond === undefined || cond === null) return true;
    if (key === 'and') return (cond as Filter[]).every((f) => matches(view, f, path));
    if (key === 'or') return (cond as Filter[]).some((f) => matches(view, f, path));
    if (key === 'null') return (view === null) === cond;
    if (view === null) return false;
    if (!(key in view)) unsupported(`${path}${key}`);
    const value = view[key];
    const nested = cond as Filter;
    if (Array.isArray(value)) return matchesCollection(value as FilterView[], nested, `${path}${key}.`);
    if (isComparator(nested)) return compare(value, nested);
    return matches((value ?? null) as FilterView | null, nested, `${path}${key}.`);
  });
}

export interface PageArgs {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
}

/** Relay paging with the node id as the cursor; Linear's default page is 50. */
export function page<T extends { id: string }, N>(items: T[], args: PageArgs, toNode: (item: T) => N) {
  if (args.last != null || args.before != null) unsupported('backward paging (last/before)');
  const first = args.first ?? 50;
  if (first < 0) throw linearError('Argument Validation Error', 'invalid input', 'INVALID_INPUT');
  let start = 0;
  if (args.after) {
    const at = items.findIndex((item) => item.id === args.after);
    if (at < 0) throw linearError('Argument Validation Error', 'invalid input', 'INVALID_INPUT', 'Invalid cursor.');
    start = at + 1;
  }
  const slice = items.slice(start, start + first);
  const nodes = slice.map(toNode);
  return {
    nodes,
    edges: slice.map((item, n) => ({ node: nodes[n], cursor: item.id })),
    pageInfo: {
      hasNextPage: start + first < items.length,
      hasPreviousPage: start > 0,
      startCursor: slice[0]?.id ?? null,
      endCursor: slice.at(-1)?.id ?? null,
    },
  };
}
