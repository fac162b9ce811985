import { chmodSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ensurePrivateDir } from '../../../adapters/system/private-files.js';

describe('ensurePrivateDir', () => {
  const made: string[] = [];
  afterEach(() => {
    for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const dir = (mode: number) => {
    const path = mkdtempSync(join(tmpdir(), 'private-dir-'));
    made.push(path);
    chmodSync(path, mode);
    return path;
  };
  const modeOf = (path: string) => statSync(path).mode & 0o7777;

  it('creates a missing directory 0700 and tightens one open to others', () => {
    const open = dir(0o755);
    ensurePrivateDir(open);
    expect(modeOf(open)).toBe(0o700);
    const fresh = join(dir(0o700), 'a', 'b');
    ensurePrivateDir(fresh);
    expect(modeOf(fresh)).toBe(0o700);
  });

  it('leaves a shared directory with the sticky bit (a DATA_DIR of /tmp) as it is', () => {
    const shared = dir(0o1777);
    ensurePrivateDir(shared);
    expect(modeOf(shared)).toBe(0o1777);
  });
});
