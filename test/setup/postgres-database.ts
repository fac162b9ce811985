import { randomUUID } from 'node:crypto';
import pg from 'pg';

/** A database of its own on the test server, so that test files running in parallel never meet. */
export interface TestDatabase {
  url: string;
  /** A fresh schema in that database, as a URL whose connections use it (search_path). */
  schema(): Promise<{ url: string; drop: () => Promise<void> }>;
  drop(): Promise<void>;
}

async function run(url: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

export async function createTestDatabase(serverUrl: string): Promise<TestDatabase> {
  const name = `t_${randomUUID().replace(/-/g, '')}`;
  await run(serverUrl, `create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async schema() {
      const schema = `s_${randomUUID().replace(/-/g, '')}`;
      await run(url.toString(), `create schema ${schema}`);
      const scoped = new URL(url);
      scoped.searchParams.set('options', `-c search_path=${schema}`);
      return { url: scoped.toString(), drop: () => run(url.toString(), `drop schema ${schema} cascade`) };
    },
    drop: () => run(serverUrl, `drop database ${name} with (force)`),
  };
}
