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
  const redis = await startRedis();
  let postgres: Awaited<ReturnType<typeof startPostgres>>;
  try {
    postgres = await startPostgres();
  } catch (error) {
    redis.stop();
    throw error;
  }
  project.provide('redisUrl', redis.url);
  project.provide('postgresUrl', postgres.url);
  return () => {
    postgres.stop();
    redis.stop();
  };
}
