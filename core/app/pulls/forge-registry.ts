import { createGithubForge } from '../../../adapters/forge/github/github.adapter.js';
import type { GithubAuthConfig } from '../../../adapters/forge/github/github-auth.js';
import { createLocalForge, localForgeRoot } from '../../../adapters/forge/local/local-forge.adapter.js';
import type { Clock } from '../../../ports/clock.port.js';
import type { Forge } from '../../../ports/forge.port.js';
import type { Logger } from '../../../ports/logger.port.js';
import type { ForgeKind } from '../../domain/model.js';
import type { CoreSettings } from '../core-settings.js';

/** The forges this orchestrator can reach, by kind; a mapping names its own (`mapping.forge`). */
export interface ForgeRegistry {
  get(kind: ForgeKind): Forge | undefined;
  kinds(): ForgeKind[];
}

const HOW_TO_CONFIGURE: Record<ForgeKind, string> = {
  github: 'set GITHUB_TOKEN, or GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY',
  local: 'the local forge needs its repositories directory',
};

export function describeMissingForge(kind: ForgeKind): string {
  return `${kind} forge is not configured (${HOW_TO_CONFIGURE[kind]})`;
}

export function createForgeRegistry(forges: Partial<Record<ForgeKind, Forge>>): ForgeRegistry {
  return {
    get: (kind) => forges[kind],
    kinds: () => Object.keys(forges) as ForgeKind[],
  };
}

/** GitHub credentials from config: a token wins over an App when both are set. */
export function githubAuthFrom(
  config: Pick<CoreSettings, 'githubToken' | 'githubAppId' | 'githubAppPrivateKey'>,
): GithubAuthConfig | undefined {
  if (config.githubToken) return { token: config.githubToken };
  if (config.githubAppId && config.githubAppPrivateKey)
    return { appId: config.githubAppId, privateKey: config.githubAppPrivateKey };
  return undefined;
}

export interface ForgesFromConfigDeps {
  config: Pick<CoreSettings, 'githubToken' | 'githubAppId' | 'githubAppPrivateKey' | 'githubApiUrl' | 'dataDir' | 'publicUrl'>;
  clock: Clock;
  logger: Logger;
}

/**
 * The forges config allows: `github` when GitHub credentials are set (base URL
 * `GITHUB_API_URL`, so Enterprise Server and the test fake work alike). More kinds are added
 * by passing them in `extra` (e.g. a `local` forge on bare repositories).
 */
export function forgesFromConfig(
  { config, clock, logger }: ForgesFromConfigDeps,
  extra: Partial<Record<ForgeKind, Forge>> = {},
): ForgeRegistry {
  const forges: Partial<Record<ForgeKind, Forge>> = { ...extra };
  // Bare repositories under DATA_DIR/repos: always there, like the embedded tracker.
  forges.local ??= createLocalForge({
    root: localForgeRoot(config.dataDir),
    webUrl: `${config.publicUrl}/local-forge`,
    now: () => clock.now(),
  });
  const auth = githubAuthFrom(config);
  if (auth) {
    forges.github = createGithubForge({
      baseUrl: config.githubApiUrl,
      auth,
      now: () => clock.now(),
      warn: (message) => logger.warn(message, { forge: 'github' }),
    });
  }
  return createForgeRegistry(forges);
}
