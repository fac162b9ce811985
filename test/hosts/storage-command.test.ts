import { existsSync } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createStorage } from '../../adapters/storage/create-storage.js';
import { storageCommand } from '../../hosts/cli/storage-command.js';
import { legacyJsonStore } from '../../testing/contracts/storage-fixtures.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function setup() {
  const dir = await mkdtemp(join(tmpdir(), 'ai-implement-cli-storage-'));
  dirs.push(dir);
  const out: string[] = [];
  const err: string[] = [];
  return { dir, out, err, io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) } };
}

describe('ai-implement storage export FILE', () => {
  it('writes the configured store, usage included, as a file that import brings into another adapter', async () => {
    const { dir, out, err, io } = await setup();
    const usage = {
      jobId: 'job-1',
      issueId: 'issue-1',
      identifier: 'ENG-1',
      teamKey: 'ENG',
      phase: 'implementation' as const,
      day: '2026-12-06',
      inputTokens: 10,
      outputTokens: 20,
      cacheReadTokens: 0,
      cacheCreationTokens: 0,
      costUsd: 0.75,
      reportedAt: 5,
      final: true,
      stoppedByBudget: false,
    };
    const source = await createStorage({ dataDir: join(dir, 'from') });
    await source.usage.record(usage);
    await source.settings.set('runnerMode', 'local');
    await source.close();

    const file = join(dir, 'export.json');
    expect(await storageCommand(['export', file], { DATA_DIR: join(dir, 'from') }, io)).toBe(0);
    expect(err).toEqual([]);
    expect(out).toEqual([expect.stringMatching(/^exported .*export\.json \(.*1 settings, .*1 usage\)$/)]);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    // An export never overwrites a file.
    expect(await storageCommand(['export', file], { DATA_DIR: join(dir, 'from') }, io)).toBe(1);
    expect(err[0]).toMatch(/^storage export failed: cannot export to .*export\.json/);

    const target = { DATA_DIR: join(dir, 'to'), STORAGE_URL: `lowdb:${join(dir, 'to', 'store.json')}` };
    expect(await storageCommand(['import', file], target, io)).toBe(0);
    const imported = await createStorage({ dataDir: target.DATA_DIR, storageUrl: target.STORAGE_URL });
    try {
      expect(await imported.usage.get('job-1')).toEqual(usage);
      expect(await imported.settings.get('runnerMode')).toBe('local');
    } finally {
      await imported.close();
    }
  });
});

describe('ai-implement storage import FILE', () => {
  it('imports the JSON store into the configured (empty) store and renames the file', async () => {
    const { dir, out, err, io } = await setup();
    // The default location on purpose: the command imports it itself, not as a side effect of opening.
    const file = join(dir, 'ai-implement.json');
    await writeFile(file, JSON.stringify(legacyJsonStore()));
    expect(await storageCommand(['import', file], { DATA_DIR: dir }, io)).toBe(0);
    expect(err).toEqual([]);
    expect(out).toEqual([
      expect.stringMatching(
        /^imported .*ai-implement\.json \(2 mappings, 3 jobs, .*2 streamEntries, 0 counters, 0 usage\); it is now/,
      ),
    ]);
    expect(existsSync(`${file}.imported`)).toBe(true);

    const storage = await createStorage({ dataDir: dir });
    try {
      expect(await storage.jobs.count()).toBe(3);
    } finally {
      await storage.close();
    }
  });

  it('exits 1 with the reason on a corrupt file or a store that holds data, and changes nothing', async () => {
    const { dir, err, io } = await setup();
    const file = join(dir, 'old.json');
    await writeFile(file, 'not json');
    expect(await storageCommand(['import', file], { DATA_DIR: dir }, io)).toBe(1);
    expect(err[0]).toMatch(/^storage import failed: cannot import .*old\.json/);
    // Another JSON object imported as an empty store, and the file was renamed to old.json.imported.
    await writeFile(file, JSON.stringify({ name: 'some-package', private: true }));
    expect(await storageCommand(['import', file], { DATA_DIR: dir }, io)).toBe(1);
    expect(err.pop()).toMatch(/^storage import failed: cannot import .*old\.json: the file is not a JSON store/);
    expect(existsSync(file)).toBe(true);

    const storage = await createStorage({ dataDir: dir });
    await storage.settings.set('runnerMode', 'fly');
    await storage.close();
    await writeFile(file, JSON.stringify(legacyJsonStore()));
    expect(await storageCommand(['import', file], { DATA_DIR: dir }, io)).toBe(1);
    expect(err[1]).toMatch(/already holds data/);
    expect(existsSync(file)).toBe(true);
  });

  it('prints its usage and exits 2 without an action or a file', async () => {
    const { err, io } = await setup();
    expect(await storageCommand([], {}, io)).toBe(2);
    expect(await storageCommand(['import'], {}, io)).toBe(2);
    expect(await storageCommand(['dump', 'x'], {}, io)).toBe(2);
    expect(await storageCommand(['export'], {}, io)).toBe(2);
    expect(err).toEqual(Array(4).fill('Usage: ai-implement storage import FILE | ai-implement storage export FILE'));
  });
});
