import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../package-layout.js';
import { buildSessionBundle, SESSION_BUNDLE_FILE, type SessionBundle, sha256Hex } from './build-session-bundle.js';

/** The 503 of `GET /runner/session-bundle` and the templates' render error while there is no bundle. */
export const SESSION_BUNDLE_NOT_BUILT = 'Session bundle not built';

export interface SessionBundleSource {
  /** The bundle sessions run, or undefined when it is not built and cannot be (no esbuild). */
  current(): SessionBundle | undefined;
}

export interface SessionBundleSourceOptions {
  root?: string;
  /**
   * Whether the orchestrator runs from its TypeScript sources (a checkout under tsx or vitest):
   * then the bundle is built from those sources in memory, never read from a `dist/` that may
   * be older than them. Compiled, it is the `dist/session/session.mjs` built with the package.
   */
  fromSource?: boolean;
  /** Told once why there is no bundle. */
  onProblem?: (message: string) => void;
}

/** One bundle per package root and process: building takes about a second, the hash is cached with it. */
const built = new Map<string, SessionBundle | Error>();

/**
 * The session bundle this orchestrator serves and pins in the workflow templates. Read (or
 * built) on first use, then kept: a new bundle needs a restart, as new code does.
 */
export function createSessionBundleSource(options: SessionBundleSourceOptions = {}): SessionBundleSource {
  const root = options.root ?? PACKAGE_ROOT;
  const fromSource = options.fromSource ?? import.meta.url.endsWith('.ts');
  let told = false;

  function load(): SessionBundle {
    if (!fromSource) {
      try {
        const bytes = readFileSync(join(root, SESSION_BUNDLE_FILE));
        return { bytes, sha256: sha256Hex(bytes) };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
    return buildSessionBundle(root);
  }

  return {
    current() {
      const key = `${root}\n${fromSource}`;
      let entry = built.get(key);
      if (!entry) {
        try {
          entry = load();
        } catch (error) {
          entry = error instanceof Error ? error : new Error(String(error));
        }
        built.set(key, entry);
      }
      if (!(entry instanceof Error)) return entry;
      if (!told) {
        told = true;
        options.onProblem?.(`${SESSION_BUNDLE_NOT_BUILT} (${SESSION_BUNDLE_FILE}; npm run build:session): ${entry.message}`);
      }
      return undefined;
    },
  };
}
