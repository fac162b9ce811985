import type { PullRequestCommit } from '../../../ports/forge.port.js';
import { git } from './git-cli.js';
import { resolveRef } from './local-repos.js';

/** The most of a diff the pull-request page shows; the rest is cut and flagged. */
export const DIFF_LIMIT_BYTES = 512 * 1024;
/** The most commits listed. */
export const COMMITS_LIMIT = 250;

export interface PullDiff {
  headSha: string | null;
  commits: PullRequestCommit[];
  diff: string;
  diffTruncated: boolean;
}

const FIELD = '\u001f';
const RECORD = '\u001e';

/**
 * A pull request's commits and unified diff in a bare repository: the head (its branch, else the
 * `refs/pull/<n>/head` kept at opening) against its merge base with the base branch, as
 * `git diff base...head` shows it. A missing head gives an empty view; a missing base diffs
 * against nothing (every file added).
 */
export async function pullDiff(path: string, number: number, branch: string, base: string): Promise<PullDiff> {
  const head = (await resolveRef(path, `refs/heads/${branch}`)) ?? (await resolveRef(path, `refs/pull/${number}/head`));
  if (!head) return { headSha: null, commits: [], diff: '', diffTruncated: false };
  const baseSha = await resolveRef(path, `refs/heads/${base}`);
  const mergeBase = baseSha ? await gitText(path, ['merge-base', baseSha, head]) : undefined;
  const range = mergeBase ? `${mergeBase.trim()}..${head}` : head;
  const log = await gitText(path, [
    'log',
    '--reverse',
    `--max-count=${COMMITS_LIMIT}`,
    `--format=%H${FIELD}%an${FIELD}%at${FIELD}%s${RECORD}`,
    range,
  ]);
  const commits = (log ?? '')
    .split(RECORD)
    .map((r) => r.trim())
    .filter(Boolean)
    .map((record): PullRequestCommit => {
      const [sha = '', author = '', at = '0', subject = ''] = record.split(FIELD);
      return { sha, author, authoredAt: Number(at) * 1000, subject };
    });
  // An empty tree stands in for a missing merge base, so the diff shows every file as added.
  const from = mergeBase?.trim() ?? (await gitText(path, ['hash-object', '-t', 'tree', '/dev/null']))?.trim();
  const diff = (await gitText(path, ['diff', '--no-color', '--no-ext-diff', '--find-renames', from ?? '', head])) ?? '';
  const bytes = Buffer.byteLength(diff);
  if (bytes <= DIFF_LIMIT_BYTES) return { headSha: head, commits, diff, diffTruncated: false };
  const cut = Buffer.from(diff).subarray(0, DIFF_LIMIT_BYTES).toString('utf8');
  return { headSha: head, commits, diff: cut.slice(0, cut.lastIndexOf('\n') + 1), diffTruncated: true };
}

async function gitText(path: string, args: string[]): Promise<string | undefined> {
  const result = await git(['--git-dir', path, ...args]);
  return result.exitCode === 0 ? result.stdout : undefined;
}
