import 'vitest';
import type { TestProject } from 'vitest/node';
import { startPostgres } from './postgres-server.js';
import { startRedis } from './redis-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
    /** A superuser URL of a throwaway PostgreSQL server; each suite creates its own database. */
    postgresUrl: string;
  }
}

/** Starts the real services the suite needs once for the whole run, and stops them after. */
export default async function setup(project: TestProject): Promise<() => void> {
  const stops: (() => void)[] = [];
  let stopped = false;
  const stopAll = () => {
    if (stopped) return;
    stopped = true;
    for (const stop of stops.reverse()) {
      try {
        stop();
      } catch {
        // Stop the others all the same.
      }
    }
  };
  // Both servers daemonize: should vitest exit without running the teardown (an interrupt,
  // an error), the servers must not outlive it. The stops are synchronous, as 'exit' needs.
  process.once('exit', stopAll);
  try {
    const redis = await startRedis();
    stops.push(() => redis.stop());
    project.provide('redisUrl', redis.url);
    const postgres = await startPostgres();
    stops.push(() => postgres.stop());
    project.provide('postgresUrl', postgres.url);
  } catch (error) {
    stopAll();
    throw error;
  }
  return stopAll;
}
