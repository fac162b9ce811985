import { Liquid } from 'liquidjs';
import { err, ok } from 'neverthrow';
import type { TemplateEngine, TemplateVariablesUse } from '../../ports/template-engine.port.js';

const NO_FILES = 'templates cannot read files';

/**
 * A file system that has no files: `{% include %}`, `{% render %}` and `{% layout %}` fail
 * instead of reading the orchestrator's disk.
 */
const noFileSystem = {
  exists: async () => false,
  existsSync: () => false,
  readFile: async () => {
    throw new Error(NO_FILES);
  },
  readFileSync: () => {
    throw new Error(NO_FILES);
  },
  resolve: (_root: string, file: string) => file,
  contains: async () => false,
  sep: '/',
};

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Whether `path` (`issue.title`) names a value in `variables` (not undefined). */
function resolves(variables: Record<string, unknown>, path: string): boolean {
  let value: unknown = variables;
  for (const segment of path.split('.')) {
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, segment)) return false;
    value = (value as Record<string, unknown>)[segment];
  }
  return value !== undefined;
}

/**
 * The TemplateEngine port on liquidjs, strict: an unknown variable or filter fails the render
 * with the engine's message (a typo never becomes an empty string), only own properties are
 * read, and no template reaches the file system.
 */
/** Kept in step with plugins/steps/shared/liquid.ts (the session's), which may not import adapters. */
function strictLiquid(): Liquid {
  return new Liquid({
    strictVariables: true,
    strictFilters: true,
    ownPropertyOnly: true,
    fs: noFileSystem,
    root: [],
    partials: [],
    layouts: [],
    relativeReference: false,
  });
}

export function createLiquidEngine(): TemplateEngine {
  const liquid = strictLiquid();

  function variablesOf(source: string, variables: Record<string, unknown>): TemplateVariablesUse {
    const used = [...new Set(liquid.globalFullVariablesSync(source))].sort();
    return { used, unresolved: used.filter((path) => !resolves(variables, path)) };
  }

  return {
    check(source) {
      try {
        liquid.parse(source);
        return undefined;
      } catch (error) {
        return messageOf(error);
      }
    },
    async render(source, variables) {
      let use: TemplateVariablesUse = { used: [], unresolved: [] };
      try {
        const templates = liquid.parse(source);
        use = variablesOf(source, variables);
        const text = String(await liquid.render(templates, variables));
        return ok({ text, ...use });
      } catch (error) {
        return err({ message: messageOf(error), ...use });
      }
    },
  };
}
