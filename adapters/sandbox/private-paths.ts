import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export interface PrivatePath {
  path: string;
  kind: 'file' | 'dir';
}

/** How many entries one walk looks at: /etc has about a thousand; a tree far larger is not walked to the end. */
const WALK_LIMIT = 20_000;

/**
 * What the sandbox must hide of the system directories it shows: every file that others may
 * not read and every directory that others may not enter (`/etc/shadow`, `/etc/gshadow`,
 * `/etc/ssl/private`, a service's config with its password), plus the operator's `extra`
 * paths. A session running as root would read all of these as their owner — bubblewrap drops
 * root's capabilities, not its ownership — so the sandbox shows the world-readable system only.
 * Symbolic links are left alone: what they point to is judged where it lives.
 */
export function privateSystemPaths(roots: readonly string[], extra: readonly string[] = []): PrivatePath[] {
  const out: PrivatePath[] = [];
  let seen = 0;
  const walk = (dir: string) => {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const name of names) {
      if (++seen > WALK_LIMIT) return;
      const path = join(dir, name);
      let stat: ReturnType<typeof lstatSync>;
      try {
        stat = lstatSync(path);
      } catch {
        continue;
      }
      if (stat.isDirectory()) {
        if ((stat.mode & 0o001) === 0) out.push({ path, kind: 'dir' });
        else walk(path);
      } else if (stat.isFile() && (stat.mode & 0o004) === 0) {
        out.push({ path, kind: 'file' });
      }
    }
  };
  for (const root of roots) walk(root);
  for (const path of extra) {
    try {
      const stat = lstatSync(path);
      if (stat.isDirectory()) out.push({ path, kind: 'dir' });
      else if (!stat.isSymbolicLink()) out.push({ path, kind: 'file' });
    } catch {
      // Not on this machine: nothing to hide.
    }
  }
  return out;
}
