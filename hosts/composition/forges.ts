import { createGithubForge } from '../../adapters/forge/github/github.adapter.js';
import type { GithubAuthConfig } from '../../adapters/forge/github/github-auth.js';
import { createLocalForge, localForgeRoot } from '../../adapters/forge/local/local-forge.adapter.js';
import type { GovernorRegistry } from '../../adapters/shared/request-governor.js';
import { UNATTENDED_RETRY } from '../../adapters/shared/retry.js';
import type { CoreSettings } from '../../core/app/core-settings.js';
import { createForgeRegistry } from '../../core/app/pulls/forge-registry.js';
import type { ForgeKind } from '../../core/domain/model.js';
import type { Clock } from '../../ports/clock.port.js';
import type { Forge, ForgeRegistry } from '../../ports/forge.port.js';
import type { Logger } from '../../ports/logger.port.js';

/** GitHub credentials from config: a token wins over an App when both are set. */
export function githubAuthFrom(
  config: Pick<CoreSettings, 'githubToken' | 'githubAppId' | 'githubAppPrivateKey'>,
): GithubAuthConfig | undefined {
  if (config.githubToken) return { token: config.githubToken };
  if (config.githubAppId && config.githubAppPrivateKey)
    return { appId: config.githubAppId, privateKey: config.githubAppPrivateKey };
  return undefined;
}

/** What the GitHub governor is keyed on: one API URL and one credential (token or App) is one budget. */
export function githubCredential(auth: GithubAuthConfig): string {
  return 'token' in auth ? auth.token : `app:${auth.appId}`;
}

export interface ForgesFromConfigDeps {
  config: Pick<CoreSettings, 'githubToken' | 'githubAppId' | 'githubAppPrivateKey' | 'githubApiUrl' | 'dataDir' | 'publicUrl'>;
  clock: Clock;
  logger: Logger;
  /** GitHub's calls go through the connection's governor when given. */
  governors?: GovernorRegistry;
}

/**
 * The forges config allows: `local` always (bare repositories under DATA_DIR/repos, like the
 * embedded tracker), and `github` when GitHub credentials are set (base URL `GITHUB_API_URL`,
 * so Enterprise Server and the test fake work alike). More kinds are added by passing them in
 * `extra`.
 */
export function forgesFromConfig(
  { config, clock, logger, governors }: ForgesFromConfigDeps,
  extra: Partial<Record<ForgeKind, Forge>> = {},
): ForgeRegistry {
  const forges: Partial<Record<ForgeKind, Forge>> = { ...extra };
  forges.local ??= createLocalForge({
    root: localForgeRoot(config.dataDir),
    webUrl: `${config.publicUrl}/local-forge`,
    now: () => clock.now(),
  });
  const auth = githubAuthFrom(config);
  if (auth) {
    const credential = githubCredential(auth);
    forges.github = createGithubForge({
      baseUrl: config.githubApiUrl,
      auth,
      retry: UNATTENDED_RETRY,
      ...(governors
        ? { governor: governors.forConnection({ service: 'github', baseUrl: config.githubApiUrl, credential }) }
        : {}),
      now: () => clock.now(),
      warn: (message) => logger.warn(message, { forge: 'github' }),
    });
  }
  return createForgeRegistry(forges);
}
