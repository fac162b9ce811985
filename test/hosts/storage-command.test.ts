import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
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
    expect(await storageCommand(['export', 'x'], {}, io)).toBe(2);
    expect(err).toEqual(Array(3).fill('Usage: ai-implement storage import FILE'));
  });
});
