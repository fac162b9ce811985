import pg from 'pg';
import type { HotPool } from '../../../adapters/storage/sql/sql-connect.js';

/** The PostgreSQL hot path's pool, telling `record` every statement it is given (those refused too). */
export function recordingHotPool(url: string, record: (sql: string, parameters: readonly unknown[]) => void): HotPool {
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  return {
    async query<R>(text: string, values: unknown[]) {
      record(text, values);
      return (await pool.query(text, values)) as unknown as { rows: R[] };
    },
    end: () => pool.end(),
  };
}
