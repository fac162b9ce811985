import { constants } from 'node:fs';
import { open, realpath } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';

/** Larger than any WORKFLOW.md or package.json: a bigger file is not one of them. */
const MAX_BYTES = 1024 * 1024;

/**
 * A file of the working tree, read by the session itself — outside the sandbox, with the
 * session's rights. The tree is the repository's and the agent's, so a `WORKFLOW.md` that is a
 * symbolic link (`-> /proc/self/environ`, `-> ../../.env`, `-> ~/.ssh/id_ed25519`) would have the
 * session read a file of the host and hand it to the agent as its prompt. Only a regular file
 * that is inside the tree once every link on its path is resolved is read (a FIFO would hang
 * the read, and is refused too); anything else is as if the file did not exist.
 */
export async function readRepoFile(repoDir: string, name: string): Promise<string | undefined> {
  try {
    const root = await realpath(repoDir);
    // Where it really is, links (the file's, a directory's above it) resolved: inside the tree.
    const path = await realpath(join(root, name));
    const inside = relative(root, path);
    if (!inside || inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside)) return undefined;
    const handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    try {
      const stat = await handle.stat();
      if (!stat.isFile() || stat.size > MAX_BYTES) return undefined;
      return await handle.readFile('utf8');
    } finally {
      await handle.close();
    }
  } catch {
    return undefined;
  }
}
