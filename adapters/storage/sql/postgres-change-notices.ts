import type { Client } from 'pg';
import { CHANGE_CHANNEL } from './sql-migrations.js';
import type { RecentReads } from './sql-recent-reads.js';

/** Waits before listening again after the connection was lost: 0.5 s, doubling to 10 s. */
const RETRY_FIRST_MS = 500;
const RETRY_MAX_MS = 10_000;

/**
 * Hears other processes' writes to jobs and documents (migration 0012's notices) on a
 * connection of its own, and tells `reads` which rows changed. Reads are kept only while it
 * listens: from the LISTEN's answer on, everything read before is dropped; when the connection
 * is lost nothing is kept until it listens again (notices sent meanwhile are lost). Connects at
 * once; `stop` ends it.
 */
export function listenForChanges(url: string, reads: RecentReads): { stop(): Promise<void> } {
  let stopped = false;
  let client: Client | undefined;
  let retryMs = RETRY_FIRST_MS;
  let retry: NodeJS.Timeout | undefined;

  const lost = () => {
    reads.hearing(false);
    const previous = client;
    client = undefined;
    previous?.end().catch(() => undefined);
    if (stopped || retry) return;
    retry = setTimeout(() => {
      retry = undefined;
      void listen();
    }, retryMs);
    retry.unref();
    retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
  };

  const listen = async () => {
    const { default: pg } = await import('pg');
    if (stopped) return;
    // A server that takes a connection and never answers is tried again, not waited for forever.
    const listener = new pg.Client({
      connectionString: url,
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
      connectionTimeoutMillis: 10_000,
      query_timeout: 10_000,
    });
    client = listener;
    const gone = () => {
      if (client === listener) lost();
    };
    listener.on('error', gone);
    listener.on('end', gone);
    listener.on('notification', ({ payload }) => {
      const key = rowKey(payload);
      if (key) reads.changed(key);
      else reads.changedAll();
    });
    try {
      await listener.connect();
      await listener.query(`listen ${CHANGE_CHANNEL}`);
    } catch {
      gone();
      return;
    }
    if (stopped) {
      await listener.end().catch(() => undefined);
      return;
    }
    if (client !== listener) return;
    retryMs = RETRY_FIRST_MS;
    reads.hearing(true);
  };

  void listen();
  return {
    async stop() {
      stopped = true;
      if (retry) clearTimeout(retry);
      reads.hearing(false);
      const last = client;
      client = undefined;
      await last?.end().catch(() => undefined);
    },
  };
}

/** The row a notice names, as sql-recent-reads.ts keys it; undefined for `*` (or anything unreadable). */
function rowKey(payload: string | undefined): string | undefined {
  if (!payload || payload === '*') return undefined;
  try {
    return JSON.stringify(JSON.parse(payload));
  } catch {
    return undefined;
  }
}
