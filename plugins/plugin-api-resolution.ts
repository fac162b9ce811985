import { register } from 'node:module';
import { pathToFileURL } from 'node:url';

/**
 * Lets a custom file live anywhere (CUSTOM_DIR), and still `import … from 'ai-implement/plugins'`.
 *
 * Inside this package Node resolves the specifier by self-reference (package.json `exports`),
 * but an operator's CUSTOM_DIR is usually elsewhere — beside their checkout, in /etc, in a
 * mounted volume — with no node_modules holding this package, and often no package.json
 * saying `"type": "module"` (so tsx would compile a `.ts` step as CommonJS, where no ESM hook
 * reaches). Two resolve rules, on Node's loader, fix both:
 * - the one specifier maps to the running orchestrator's own entry, so a custom step gets the
 *   same `defineStep`, `definePipeline` and `z` as the built-ins, never another copy;
 * - a custom file (imported through `customFileUrl`) and the relative `.ts`/`.js` files it
 *   imports are ES modules, whatever package scope they sit in.
 *
 * A bundler-driven runner such as vitest resolves with its own resolver; there the specifier
 * works by self-reference only, from inside the package.
 */
const PLUGIN_API_SPECIFIER = 'ai-implement/plugins';

const MARK = 'ai-implement-custom';
const PLUGIN_API_URL = new URL('./index.ts', import.meta.url).href;

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

/** Registers the hooks once per process; later calls are no-ops. */
export function ensurePluginApiResolves(): void {
  if (registered) return;
  registered = true;
  register(`data:text/javascript,${encodeURIComponent(HOOKS)}`, {
    data: { specifier: PLUGIN_API_SPECIFIER, url: PLUGIN_API_URL, mark: MARK },
  });
}

/** The URL to import a custom file by, so the hooks treat it (and its relative imports) as custom. */
export function customFileUrl(file: string): string {
  const url = pathToFileURL(file);
  url.searchParams.set(MARK, '');
  return url.href;
}
