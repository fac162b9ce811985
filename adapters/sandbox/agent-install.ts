import { accessSync, constants, realpathSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';

/** Where the system's programs live: the sandbox shows these read-only already. */
const SYSTEM_PREFIXES = ['/usr/', '/bin/', '/sbin/', '/lib/', '/lib64/', '/opt/', '/etc/'];

function onPath(program: string, path: string): string | undefined {
  if (isAbsolute(program)) return program;
  if (program.includes('/')) return undefined;
  for (const dir of path.split(':').filter((d) => isAbsolute(d))) {
    const candidate = join(dir, program);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here.
    }
  }
  return undefined;
}

/**
 * The directories the agent CLI needs to be visible read-only when it is installed outside
 * the system (Claude Code's installer puts `claude` in ~/.local/bin, linked into
 * ~/.local/share/claude; nvm puts it under ~/.nvm): the directory it is found in and the one
 * its link resolves to. Nothing else of that HOME becomes visible.
 */
export function agentInstallDirs(program: string | undefined, path: string): string[] {
  if (!program) return [];
  const found = onPath(program, path);
  if (!found) return [];
  let real = found;
  try {
    real = realpathSync(found);
  } catch {
    return [];
  }
  const dirs = new Set<string>();
  for (const file of [found, real]) {
    if (!SYSTEM_PREFIXES.some((p) => file.startsWith(p))) dirs.add(dirname(file));
  }
  return [...dirs];
}
