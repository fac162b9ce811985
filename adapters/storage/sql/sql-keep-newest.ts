import { type Kysely, sql } from 'kysely';
import type { SqlDatabase } from './sql-schema.js';

/** The bounded logs, each pruned to its newest rows. */
type BoundedLog = 'connector_events' | 'security_events' | 'notifications';

/**
 * Deletes every row of `table` beyond its newest `keep`: newest first by `time`, ties in the
 * listing's own id order, so what goes is what the listing shows last. Returns how many went.
 */
export async function deleteBeyondNewest(
  db: Kysely<SqlDatabase>,
  table: BoundedLog,
  time: string,
  keep: number,
  ties: 'asc' | 'desc',
): Promise<bigint> {
  const at = sql.ref<number>(time);
  const edge = await db
    .selectFrom(table)
    .select([at.as('at'), 'id'])
    .orderBy(at, 'desc')
    .orderBy('id', ties)
    .limit(1)
    .offset(keep)
    .executeTakeFirst();
  if (!edge) return 0n;
  const result = await db
    .deleteFrom(table)
    .where((eb) =>
      eb.or([eb(at, '<', edge.at), eb.and([eb(at, '=', edge.at), eb('id', ties === 'desc' ? '<=' : '>=', edge.id)])]),
    )
    .executeTakeFirstOrThrow();
  return result.numDeletedRows;
}
