import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

/** Where the bundle is written, under the package root (`npm run build:session`). */
export const SESSION_BUNDLE_FILE = 'dist/session/session.mjs';
/** The session runtime's entry, bundled with everything it imports. */
const ENTRY = 'hosts/session/session-main.ts';
const PIPELINES_DIR = 'plugins/pipelines';

export interface SessionBundle {
  bytes: Buffer;
  /** Lower-case hex SHA-256 of `bytes`: what the workflow templates pin. */
  sha256: string;
}

export const sha256Hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

type Esbuild = typeof import('esbuild');

/**
 * The session runtime as one ES module that plain `node` (20+) runs without node_modules:
 * every dependency bundled, the built-in pipelines embedded (the plugin loader reads them from
 * `AI_IMPLEMENT_EMBEDDED_PIPELINES` instead of plugins/pipelines), CommonJS dependencies given a
 * `require`. Paths in the output are relative to `root` and symlinks are kept as written, so
 * the same sources and lockfile give the same bytes, and the same hash, in any checkout.
 *
 * esbuild is a development dependency: loaded here, on use, so the compiled orchestrator does
 * not need it when `dist/session/session.mjs` was built with the package.
 */
export function buildSessionBundle(root: string): SessionBundle {
  const esbuild = createRequire(join(root, 'package.json'))('esbuild') as Esbuild;
  const pipelines = Object.fromEntries(
    readdirSync(join(root, PIPELINES_DIR))
      .filter((name) => /\.ya?ml$/.test(name))
      .sort()
      .map((name) => [name, readFileSync(join(root, PIPELINES_DIR, name), 'utf8')]),
  );
  const result = esbuild.buildSync({
    absWorkingDir: root,
    entryPoints: [ENTRY],
    outfile: SESSION_BUNDLE_FILE,
    bundle: true,
    write: false,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    mainFields: ['module', 'main'],
    preserveSymlinks: true,
    // Loaded only when present (a custom `.ts` step): never part of the bundle.
    external: ['tsx', 'tsx/*', 'esbuild'],
    define: { AI_IMPLEMENT_EMBEDDED_PIPELINES: JSON.stringify(pipelines) },
    banner: {
      js: "import { createRequire as __aiImplementCreateRequire } from 'node:module';\nconst require = __aiImplementCreateRequire(import.meta.url);",
    },
    logLevel: 'silent',
  });
  const output = result.outputFiles[0];
  if (!output) throw new Error('esbuild wrote no session bundle');
  const bytes = Buffer.from(output.contents);
  return { bytes, sha256: sha256Hex(bytes) };
}

/** Builds the bundle and writes it, with `session.mjs.sha256` (sha256sum's format) beside it. */
export function writeSessionBundle(root: string): SessionBundle & { path: string } {
  const bundle = buildSessionBundle(root);
  const path = join(root, SESSION_BUNDLE_FILE);
  mkdirSync(join(root, 'dist', 'session'), { recursive: true });
  // Renamed into place: a reader never sees half a bundle.
  writeFileSync(`${path}.tmp`, bundle.bytes);
  renameSync(`${path}.tmp`, path);
  writeFileSync(`${path}.sha256`, `${bundle.sha256}  session.mjs\n`);
  return { ...bundle, path };
}
