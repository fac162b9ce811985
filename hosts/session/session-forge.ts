import { dirname } from 'node:path';
import { createGithubForge } from '../../adapters/forge/github/github.adapter.js';
import { createLocalForge } from '../../adapters/forge/local/local-forge.adapter.js';
import type { RepoContext } from '../../plugins/run-context.js';
import type { Forge } from '../../ports/forge.port.js';
import type { CallbackClient } from './callback-client.js';
import type { SessionConfig } from './session-env.js';

export interface SessionForge {
  forge: Forge;
  repo: RepoContext;
  /** Values to redact (the token and its basic-auth form). */
  secrets: string[];
  close(): Promise<void>;
}

/**
 * The forge a session works with, and how it clones. GitHub: a repository token from
 * `POST /api/token`, given to the GitHub adapter and, as `RepoContext.credential`, to the
 * session's own credentialed git through a credential helper (`plugins/steps/shared/git.ts`):
 * never in `.git/config`, in a process environment or in argv, where the agent could read it.
 * Local: the bare repository on this machine; no credential at all.
 */
export async function sessionForge(config: SessionConfig, callbacks: CallbackClient): Promise<SessionForge | { error: string }> {
  if (config.forge === 'local') {
    const cloneUrl = config.repoUrl ?? '';
    // `<root>/<owner>/<repo>.git`: the forge root is two levels up.
    const forge = createLocalForge({ root: dirname(dirname(cloneUrl)), webUrl: `${config.callbackUrl}/local-forge` });
    return {
      forge,
      repo: { owner: config.owner, repo: config.repo, forge: 'local', cloneUrl, defaultBranch: config.defaultBranch },
      secrets: [],
      close: () => forge.close(),
    };
  }
  const minted = await callbacks.repoToken(config.owner);
  // In token (PAT) mode the orchestrator hands out none: the runner's own token (Actions') pushes.
  const token = 'error' in minted ? config.runnerGithubToken : minted.ok.token;
  if (!token) return { error: `could not get a repository token from /api/token: ${'error' in minted ? minted.error : ''}` };
  return {
    forge: createGithubForge({ baseUrl: config.githubApiUrl, auth: { token } }),
    repo: {
      owner: config.owner,
      repo: config.repo,
      forge: 'github',
      cloneUrl: config.repoUrl ?? `${config.githubServerUrl}/${config.owner}/${config.repo}.git`,
      defaultBranch: config.defaultBranch,
      credential: { username: 'x-access-token', password: token },
    },
    secrets: [token, Buffer.from(`x-access-token:${token}`).toString('base64')],
    close: async () => undefined,
  };
}
