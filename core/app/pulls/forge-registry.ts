import type { Forge, ForgeRegistry } from '../../../ports/forge.port.js';
import type { ForgeKind } from '../../domain/model.js';

export type { ForgeRegistry };

const HOW_TO_CONFIGURE: Record<ForgeKind, string> = {
  github: 'set GITHUB_TOKEN, or GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY',
  local: 'the local forge needs its repositories directory',
};

export function describeMissingForge(kind: ForgeKind): string {
  return `${kind} forge is not configured (${HOW_TO_CONFIGURE[kind]})`;
}

/** A registry over the forges the composition root built (hosts/composition/forges.ts). */
export function createForgeRegistry(forges: Partial<Record<ForgeKind, Forge>>): ForgeRegistry {
  return {
    get: (kind) => forges[kind],
    kinds: () => Object.keys(forges) as ForgeKind[],
  };
}
