import { register } from 'node:module';
import { extname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as pluginApi from './index.js';

/**
 * Lets a custom file live anywhere (CUSTOM_DIR), and still `import … from 'ai-implement/plugins'`.
 *
 * Inside this package Node resolves the specifier by self-reference (package.json `exports`),
 * but an operator's CUSTOM_DIR is usually elsewhere — beside their checkout, in /etc, in a
 * mounted volume — with no node_modules holding this package, and often no package.json
 * saying `"type": "module"` (so tsx would compile a `.ts` step as CommonJS, where no ESM hook
 * reaches). Two resolve rules, on Node's loader, fix both:
 * - the one specifier maps to the running orchestrator's own entry, so a custom step gets the
 *   same `defineStep`, `definePipeline` and `z` as the built-ins, never another copy (in the
 *   session bundle, which has no entry file beside it, to a module reading the bundle's own);
 * - a custom file (imported through `customFileUrl`) and the relative `.ts`/`.js` files it
 *   imports are ES modules, whatever package scope they sit in.
 *
 * A bundler-driven runner such as vitest resolves with its own resolver; there the specifier
 * works by self-reference only, from inside the package.
 */
const PLUGIN_API_SPECIFIER = 'ai-implement/plugins';

const MARK = 'ai-implement-custom';
/** Defined (the built-in pipelines) only in the session bundle, whose build embeds them. */
declare const AI_IMPLEMENT_EMBEDDED_PIPELINES: unknown;
/** The session bundle is one file: no plugin entry sits beside it to map the specifier to. */
const BUNDLED = typeof AI_IMPLEMENT_EMBEDDED_PIPELINES !== 'undefined';
// `./index.ts` from source, `./index.js` once compiled: the entry beside this very file. In the
// bundle, a module of its own API handed over through a global (see bundledPluginApiUrl).
const PLUGIN_API_URL = BUNDLED
  ? bundledPluginApiUrl()
  : new URL(`./index${extname(fileURLToPath(import.meta.url))}`, import.meta.url).href;
const RUNS_BUILT = BUNDLED || import.meta.url.endsWith('.js');
const TYPESCRIPT_FILE = /\.m?ts$/;
/** A file a custom dir may hold that is imported as code. */
const MODULE_FILE = /\.[cm]?[jt]s$/;

// Runs on Node's loader thread: plain JavaScript, with its settings handed over as `data`.
const HOOKS = `
let settings;
const custom = new Set();
export function initialize(data) { settings = data; }
export async function resolve(specifier, context, next) {
  // Handed on down the chain, so tsx's own resolve sees the entry and loads it as TypeScript.
  if (specifier === settings.specifier) return next(settings.url, context);
  const resolved = await next(specifier, context);
  const url = new URL(resolved.url);
  const marked = url.searchParams.has(settings.mark);
  const fromCustom = context.parentURL !== undefined && custom.has(context.parentURL);
  if (url.protocol !== 'file:' || !(marked || (fromCustom && !url.pathname.includes('/node_modules/')))) return resolved;
  custom.add(resolved.url);
  return /\\.(ts|js)$/.test(url.pathname) ? { ...resolved, format: 'module' } : resolved;
}
`;

let registered = false;
/** Whether a `.ts` custom file can be imported: always from source; from dist/, once tsx registered. */
let typescriptLoads = !RUNS_BUILT;

/**
 * Makes custom files importable, once per process: TypeScript ones too when any is there, then
 * the hooks above. From source (tsx, vitest) TypeScript already loads; the compiled package does
 * not depend on tsx, and loads a `.ts` custom file through tsx only when it is installed (a
 * checkout's `npm install` has it) — registered first, so the hooks above run before its own.
 */
export async function prepareCustomImports(files: readonly string[]): Promise<void> {
  // No module to import (no custom dir, or only YAML and docs): no hooks either. Registered, they
  // run on a loader thread of their own that every later import of the process goes through.
  if (!files.some((f) => MODULE_FILE.test(f))) return;
  if (!typescriptLoads && !registered && files.some((f) => TYPESCRIPT_FILE.test(f))) {
    typescriptLoads = await import('tsx/esm/api').then(
      (tsx) => {
        tsx.register();
        return true;
      },
      () => false,
    );
  }
  ensurePluginApiResolves();
}

/** Why a custom file cannot be imported, known before trying: TypeScript with nothing to load it. */
export function customImportProblem(file: string): string | undefined {
  if (typescriptLoads || !TYPESCRIPT_FILE.test(file)) return undefined;
  return 'a TypeScript file needs tsx to load (npm install tsx beside the orchestrator), or write it as .js';
}

/** Registers the hooks once per process; later calls are no-ops. */
function ensurePluginApiResolves(): void {
  if (registered) return;
  registered = true;
  register(`data:text/javascript,${encodeURIComponent(HOOKS)}`, {
    data: { specifier: PLUGIN_API_SPECIFIER, url: PLUGIN_API_URL, mark: MARK },
  });
}

/**
 * The session bundle's plugin API as a `data:` module: the bundle's own `defineStep`, `z`, …
 * (the very objects its built-ins use), put on a global that the module's exports read.
 */
function bundledPluginApiUrl(): string {
  const key = 'ai-implement.plugins';
  (globalThis as Record<symbol, unknown>)[Symbol.for(key)] = pluginApi;
  const source = [
    `const api = globalThis[Symbol.for(${JSON.stringify(key)})];`,
    ...Object.keys(pluginApi).map((name) => `export const ${name} = api.${name};`),
  ].join('\n');
  return `data:text/javascript,${encodeURIComponent(source)}`;
}

/** The URL to import a custom file by, so the hooks treat it (and its relative imports) as custom. */
export function customFileUrl(file: string): string {
  const url = pathToFileURL(file);
  url.searchParams.set(MARK, '');
  return url.href;
}
