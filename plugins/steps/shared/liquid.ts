import { Liquid } from 'liquidjs';

/**
 * The session's Liquid, set as the orchestrator's TemplateEngine (adapters/templates/liquid.engine.ts,
 * which plugins may not import): strict variables and filters, own properties only, and a file
 * system without files, so `include` / `render` / `layout` fail instead of reading the disk,
 * and bounds on a render's time and memory.
 */
const noFiles = async (): Promise<never> => {
  throw new Error('templates cannot read files');
};
const liquid = new Liquid({
  strictVariables: true,
  strictFilters: true,
  ownPropertyOnly: true,
  root: [],
  partials: [],
  layouts: [],
  relativeReference: false,
  // A template is the repository's (WORKFLOW.md): `{% for i in (1..1000000000) %}` would hold the
  // session's only thread for minutes and its memory for gigabytes. A prompt is far below both.
  renderLimit: 2_000,
  memoryLimit: 16 * 1024 * 1024,
  fs: {
    exists: async () => false,
    existsSync: () => false,
    readFile: noFiles,
    readFileSync: () => {
      throw new Error('templates cannot read files');
    },
    resolve: (_root, file) => file,
    contains: async () => false,
    sep: '/',
  },
});

/** The variables (dot paths) `source` reads; throws the engine's error when it does not parse. */
export function liquidVariables(source: string): string[] {
  return [...new Set(liquid.globalFullVariablesSync(source))].sort();
}

/** Renders `source` at once; throws the engine's error (a syntax error, an unknown variable or filter). */
export function renderLiquidSync(source: string, variables: Record<string, unknown>): string {
  return String(liquid.parseAndRenderSync(source, variables));
}
