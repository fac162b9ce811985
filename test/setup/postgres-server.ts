import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';

/** A real PostgreSQL server in a temp dir on a free loopback port, for the SQL storage tests. */
export interface PostgresProcess {
  /** The server's `postgres` database as superuser `postgres` (trust auth, loopback only). */
  url: string;
  stop(): void;
}

/** Where Debian and a source build put the server binaries; PATH is searched first. */
function findBinDir(): string | undefined {
  const candidates = [...(process.env.PATH ?? '').split(':').filter(Boolean), '/usr/local/bin', '/usr/local/pgsql/bin'];
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const versions = readdirSync(debian).sort((a, b) => Number(b) - Number(a));
    candidates.push(...versions.map((v) => join(debian, v, 'bin')));
  }
  return candidates.find((dir) => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl')));
}

/** Runs a shell line as the `postgres` user when we are root (initdb refuses to run as root). */
function asPostgres(line: string): void {
  const root = process.getuid?.() === 0;
  if (root) execFileSync('su', ['postgres', '-s', '/bin/sh', '-c', line], { stdio: 'pipe' });
  else execFileSync('/bin/sh', ['-c', line], { stdio: 'pipe' });
}

export async function startPostgres(): Promise<PostgresProcess> {
  const bin = findBinDir();
  if (!bin) {
    throw new Error(
      'postgresql server binaries (initdb, pg_ctl) are required by the SQL storage tests and were not found (run scripts/ensure-test-tools.sh)',
    );
  }
  const dir = mkdtempSync(join(tmpdir(), 'ai-implement-pg-'));
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
  }
  chmodSync(dir, 0o700);
  const data = join(dir, 'data');
  const port = await freePort();
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const pgCtl = join(bin, 'pg_ctl');
  try {
    asPostgres(
      `${q(join(bin, 'initdb'))} -D ${q(data)} -A trust -U postgres --no-sync >/dev/null && ` +
        `${q(pgCtl)} -D ${q(data)} -o ${q(`-k ${dir} -p ${port} -h 127.0.0.1 -c fsync=off`)} -l ${q(join(dir, 'log'))} -w start >/dev/null`,
    );
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? '';
    throw new Error(`postgresql did not start: ${stderr || (error as Error).message}`);
  }
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop() {
      try {
        asPostgres(`${q(pgCtl)} -D ${q(data)} -m immediate -w stop >/dev/null`);
      } catch {
        // already gone
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
