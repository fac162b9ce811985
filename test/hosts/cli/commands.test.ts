import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../../hosts/cli/main.js';
import { packageVersion } from '../../../hosts/package-layout.js';
import { capture } from './capture.js';

describe('--help and --version', () => {
  it.each([
    [['--help'], 'USAGE ai-implement serve|session|init|doctor|storage'],
    [['help'], 'USAGE ai-implement serve|session|init|doctor|storage'],
    [['serve', '--help'], 'USAGE ai-implement serve [OPTIONS]'],
    [['session', '--help'], 'USAGE ai-implement session'],
    [['init', '-h'], 'USAGE ai-implement init [OPTIONS]'],
    [['doctor', '--help'], 'USAGE ai-implement doctor [OPTIONS]'],
    [['storage', '--help'], 'USAGE ai-implement storage import'],
    [['storage', 'import', '--help'], 'USAGE storage import [OPTIONS] <FILE>'],
    [['storage', 'export', '--help'], 'USAGE storage export [OPTIONS] <FILE>'],
  ])('%j prints its usage and exits 0 without running it', async (argv, usage) => {
    const { io, out, err } = capture();
    // An environment that would make `serve` fail at once, were it run.
    expect(await main(argv, { PORT: 'abc' }, io)).toBe(0);
    expect(out.join('\n')).toContain(usage);
    expect(out.join('\n')).not.toContain('\u001b[');
    expect(err).toEqual([]);
  });

  it('--version prints the package version', async () => {
    const { io, out } = capture();
    expect(await main(['--version'], {}, io)).toBe(0);
    expect(out).toEqual([packageVersion()]);
    expect(packageVersion()).toBe(JSON.parse(readFileSync('package.json', 'utf8')).version);
  });

  it('an unknown command or a missing argument is a usage error (exit 2)', async () => {
    const unknown = capture();
    expect(await main(['frobnicate'], {}, unknown.io)).toBe(2);
    expect(unknown.err[0]).toBe('Unknown command frobnicate\n');
    expect(unknown.err.join('\n')).toContain('USAGE ai-implement');
    const missing = capture();
    expect(await main(['storage', 'import'], {}, missing.io)).toBe(2);
    expect(missing.err[0]).toBe('Missing required positional argument: FILE\n');
    expect(await main(['storage'], {}, capture().io)).toBe(2);
  });

  it('no command is serve (a bad configuration stops it with exit 1)', async () => {
    const { io, err } = capture();
    expect(await main([], { PORT: 'abc' }, io)).toBe(1);
    expect(err).toEqual(['Invalid configuration: PORT must be an integer from 0 to 65535']);
  });
});

describe('init', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('writes a commented, private .env with a generated access code and token secret, and says what to do next', async () => {
    dir = await mkdtemp(join(tmpdir(), 'ai-implement-init-'));
    const file = join(dir, '.env');
    const { io, out, all } = capture();
    expect(await main(['init', '--file', file], {}, io)).toBe(0);
    const text = readFileSync(file, 'utf8');
    const vars = parseEnv(text);
    expect(vars.ADMIN_ACCESS_CODE?.length).toBeGreaterThanOrEqual(12);
    expect(vars.RUNNER_TOKEN_SECRET).toMatch(/^[0-9a-f]{64}$/);
    expect(Object.keys(vars).sort()).toEqual(['ADMIN_ACCESS_CODE', 'RUNNER_TOKEN_SECRET']);
    expect(text.split('\n').filter((l) => l.startsWith('# ')).length).toBeGreaterThan(10);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(out[0]).toContain(`Wrote ${file}`);
    expect(all()).toContain('ai-implement doctor');
    expect(all()).toContain('ai-implement serve');
    expect(all()).not.toContain(vars.ADMIN_ACCESS_CODE);
    expect(all()).not.toContain(vars.RUNNER_TOKEN_SECRET);

    // Another run generates other values.
    const again = join(dir, 'again.env');
    await main(['init', '--file', again], {}, capture().io);
    expect(parseEnv(readFileSync(again, 'utf8')).ADMIN_ACCESS_CODE).not.toBe(vars.ADMIN_ACCESS_CODE);
  });

  it('keeps an existing file unless --force', async () => {
    dir = await mkdtemp(join(tmpdir(), 'ai-implement-init-'));
    const file = join(dir, '.env');
    writeFileSync(file, 'ADMIN_ACCESS_CODE=mine\n');
    const kept = capture();
    expect(await main(['init', '--file', file], {}, kept.io)).toBe(1);
    expect(readFileSync(file, 'utf8')).toBe('ADMIN_ACCESS_CODE=mine\n');
    expect(kept.err).toEqual([`${file} already exists; it was left as it is (ai-implement init --force replaces it)`]);
    expect(await main(['init', '--file', file, '--force'], {}, capture().io)).toBe(0);
    expect(parseEnv(readFileSync(file, 'utf8')).ADMIN_ACCESS_CODE).not.toBe('mine');
  });

  it('the written file is what serve reads: the admin is on with its code', async () => {
    dir = await mkdtemp(join(tmpdir(), 'ai-implement-init-'));
    const file = join(dir, '.env');
    await main(['init', '--file', file], {}, capture().io);
    const { io, all } = capture();
    expect(await main(['doctor', '--dotenv', file, '--runner', 'shadow'], { STORAGE_URL: 'memory:' }, io)).toBe(0);
    expect(all()).toContain('✓ Admin UI and API: ADMIN_ACCESS_CODE set');
    expect(all()).toContain('✓ Runner callbacks: RUNNER_TOKEN_SECRET set');
  });
});
