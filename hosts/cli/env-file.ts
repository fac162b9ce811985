import { readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';

export type Env = Record<string, string | undefined>;

/**
 * The environment with a `.env` file's variables under it: what the process was started with
 * wins, the file fills what is unset (as `node --env-file` does). A missing file is no error —
 * the file is optional — but an unreadable one is.
 */
export function withEnvFile(env: Env, file: string): Env {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return env;
    throw error;
  }
  const set = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  return { ...env, ...parseEnv(text), ...set };
}
