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
  /** Values to redact (the token and the header made from it). */
  secrets: string[];
  close(): Promise<void>;
}

/**
 * The forge a session works with, and how it clones. GitHub: a repository token from
 * `POST /api/token`, given to git as an `http.extraHeader` through GIT_CONFIG_* (so it is
 * never written to `.git/config`, where the agent could read it) and to the GitHub adapter.
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
  const header = `AUTHORIZATION: basic ${Buffer.from(`x-access-token:${token}`).toString('base64')}`;
  return {
    forge: createGithubForge({ baseUrl: config.githubApiUrl, auth: { token } }),
    repo: {
      owner: config.owner,
      repo: config.repo,
      forge: 'github',
      cloneUrl: config.repoUrl ?? `${config.githubServerUrl}/${config.owner}/${config.repo}.git`,
      defaultBranch: config.defaultBranch,
      gitEnv: { GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'http.extraHeader', GIT_CONFIG_VALUE_0: header },
    },
    secrets: [token, header, Buffer.from(`x-access-token:${token}`).toString('base64')],
    close: async () => undefined,
  };
}
