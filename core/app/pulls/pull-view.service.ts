import { err, ok, type Result } from 'neverthrow';
import type { ForgeRegistry, PullRequestDetail } from '../../../ports/forge.port.js';

export interface PullViewDeps {
  forgeRegistry: ForgeRegistry;
}

export type PullViewError = { kind: 'notFound' } | { kind: 'unavailable'; message: string };

export interface PullViewService {
  /**
   * A pull request of the local forge as its page shows it: title, body, branch, commits and
   * the diff against the base. notFound for a repository or number the forge does not have.
   */
  localPull(owner: string, repo: string, number: number): Promise<Result<PullRequestDetail, PullViewError>>;
}

/** The read side of the local forge's pull requests (`/local-forge/:owner/:repo/pull/:n`). */
export function createPullViewService({ forgeRegistry }: PullViewDeps): PullViewService {
  return {
    async localPull(owner, repo, number) {
      const forge = forgeRegistry.get('local');
      if (!forge?.describePullRequest) return err({ kind: 'notFound' });
      const found = await forge.describePullRequest({ owner, repo }, number);
      if (found.isErr()) {
        const e = found.error;
        return e.kind === 'notFound' || e.kind === 'invalid'
          ? err({ kind: 'notFound' })
          : err({ kind: 'unavailable', message: e.message });
      }
      return found.value ? ok(found.value) : err({ kind: 'notFound' });
    },
  };
}
