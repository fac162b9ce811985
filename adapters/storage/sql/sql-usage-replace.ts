import type { Kysely } from 'kysely';
import { batchPerTurn } from './per-turn-batch.js';
import { compiledOnce } from './sql-compiled.js';
import type { SqlDatabase, SqlKind } from './sql-schema.js';
import { transact } from './sql-transaction.js';

type Db = Kysely<SqlDatabase>;
type Row = SqlDatabase['usage_runs'];
type Value = string | number | null;

/** What `replace` writes: all but the key and what the first record fixes (`day`, `stopped`). */
const REPLACED = [
  'issue_id',
  'identifier',
  'team_key',
  'phase',
  'model',
  'reported_at',
  'input_tokens',
  'output_tokens',
  'cache_read_tokens',
  'cache_creation_tokens',
  'cost_usd',
  'turns',
  'final',
] as const satisfies (keyof Row)[];
/** What `replace` compares with the expected version (and `cost_usd`, null-safe). */
const COMPARED = ['reported_at', 'input_tokens', 'output_tokens', 'cache_read_tokens', 'cache_creation_tokens'] as const;

/**
 * One conditional UPDATE, built and compiled once per store: the new values, the job id, the
 * expected version's values and, when that was priced, its dollars.
 */
function replaceQuery(priced: boolean) {
  return compiledOnce(
    (db, ...args: Value[]) => {
      const at = (i: number) => args[i] as never;
      let q = db
        .updateTable('usage_runs')
        .set(Object.fromEntries(REPLACED.map((column, i) => [column, at(i)])))
        .where('job_id', '=', at(REPLACED.length));
      for (const [i, column] of COMPARED.entries()) q = q.where(column, '=', at(REPLACED.length + 1 + i));
      return priced ? q.where('cost_usd', '=', at(REPLACED.length + 1 + COMPARED.length)) : q.where('cost_usd', 'is', null);
    },
    REPLACED.length + 1 + COMPARED.length + (priced ? 1 : 0),
  );
}

interface Replacement {
  args: Value[];
  priced: boolean;
}

/**
 * `UsageStore.replace` on `usage_runs` (the row of the new record over the row expected): it
 * runs on every `/runner/progress` with usage, so it is compiled once, and on SQLite the
 * replaces queued in one turn share one transaction (per-turn-batch.ts: the commit costs more
 * than the statements), each still a compare-and-set with its own answer. PostgreSQL runs
 * each on its own: a shared transaction would hold a pooled connection for nothing.
 */
export function createUsageReplace(db: Db, kind: SqlKind): (row: Row, expected: Row) => Promise<boolean> {
  const priced = replaceQuery(true);
  const unpriced = replaceQuery(false);
  const one = async (q: Db, r: Replacement) =>
    Number((await (r.priced ? priced(q, ...r.args) : unpriced(q, ...r.args))).numAffectedRows ?? 0n) > 0;
  const grouped = batchPerTurn<Replacement, boolean>((replacements) =>
    transact(db, kind, async (trx) => {
      const replaced: boolean[] = [];
      for (const r of replacements) replaced.push(await one(trx, r));
      return replaced;
    }),
  );
  return async (row, expected) => {
    const r: Replacement = {
      args: [
        ...REPLACED.map((column) => row[column]),
        row.job_id,
        ...COMPARED.map((column) => expected[column]),
        ...(expected.cost_usd !== null ? [expected.cost_usd] : []),
      ],
      priced: expected.cost_usd !== null,
    };
    return kind === 'postgres' ? one(db, r) : grouped(r);
  };
}
