import { customFileUrl, customImportProblem } from './plugin-api-resolution.js';

/**
 * Importing one custom module for the plugin loader (plugin-loader.ts): its default export, or
 * the problem to report against its file — a failure worded for the author (its first line, a
 * hint for CommonJS), a module that never finishes loading, a wanted export under another name.
 */

/**
 * How long one custom module may take to import. A module whose top-level `await` never settles
 * would otherwise hold the start forever — or, with nothing else keeping Node's event loop
 * alive, end the process at once with exit code 0 and no word of why.
 */
export const CUSTOM_IMPORT_TIMEOUT_MS = 30_000;

/** A custom module's default export, or why it could not be imported (its first line only). */
export async function importDefault(
  file: string,
  timeoutMs: number,
): Promise<{ value: unknown; named: Record<string, unknown> } | { problem: string }> {
  const problem = customImportProblem(file);
  if (problem) return { problem };
  let timer: NodeJS.Timeout | undefined;
  // The timer also keeps the event loop alive while the import is pending.
  const late = new Promise<{ problem: string }>((resolve) => {
    timer = setTimeout(
      () =>
        resolve({
          problem: `did not finish loading within ${timeoutMs / 1000} s (a top-level await that never settles?)`,
        }),
      timeoutMs,
    );
  });
  const imported = import(customFileUrl(file)).then(
    (module: { default?: unknown }) => ({ value: module.default, named: module as Record<string, unknown> }),
    (error: unknown) => ({
      problem: `failed to load: ${loadFailure(error)}`,
    }),
  );
  try {
    return await Promise.race([imported, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Why an import failed (its first line), with a hint for a CommonJS module: custom files are ES modules. */
function loadFailure(error: unknown): string {
  const message = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
  return /\b(module|exports|require) is not defined in ES module scope/.test(message)
    ? `${message} (custom files are ES modules: \`import\` and \`export default\`, not require or module.exports)`
    : message;
}

/** A hint when the module has no default export but exports what was wanted under a name. */
export function namedInstead(
  exported: { value: unknown; named: Record<string, unknown> },
  wanted: (v: unknown) => boolean,
): string {
  if (exported.value !== undefined) return '';
  const name = Object.keys(exported.named).find((key) => key !== 'default' && wanted(exported.named[key]));
  return name ? ` (it exports one as "${name}": make it \`export default\`)` : '';
}
