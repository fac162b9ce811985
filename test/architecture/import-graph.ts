import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative, sep } from 'node:path';

/**
 * The dependency rule of ARCHITECTURE.md as data: which layer may import which.
 * `hosts ─▶ adapters ─▶ ports ─▶ core/domain`, `hosts ─▶ core/app ─▶ ports, core/domain`,
 * `custom ─▶ plugins ─▶ ports ─▶ core/domain`. `core/` holds only `domain/` and `app/`.
 */
export const LAYERS = ['core/domain', 'core/app', 'core', 'ports', 'adapters', 'plugins', 'hosts', 'custom', 'index.ts'] as const;
export type Layer = (typeof LAYERS)[number];

/** The top-level folders (and the library entry) that hold source. */
const ROOTS = ['core', 'ports', 'adapters', 'plugins', 'hosts', 'custom', 'index.ts'] as const;

/** Packages the pure domain, the use cases and the port contracts may use: no I/O, no clock, no zod. */
export const PURE_PACKAGES = ['neverthrow'];

/** What each inner layer may import besides the pure packages. */
const INNER: Partial<Record<Layer, { may: readonly Layer[]; rule: string }>> = {
  'core/domain': { may: ['core/domain'], rule: 'core/domain imports only core/domain' },
  'core/app': { may: ['core/domain', 'core/app', 'ports'], rule: 'core/app imports only core/domain, ports and core/app' },
  ports: { may: ['core/domain', 'ports'], rule: 'ports import only core/domain and ports' },
};

export interface ImportEdge {
  file: string;
  specifier: string;
  /** Repo-relative target for relative imports, else undefined (a package). */
  target?: string;
}

export interface Violation {
  file: string;
  specifier: string;
  rule: string;
}

/** A plugin loader is the one place allowed to reach into custom/. */
export function isPluginLoader(file: string): boolean {
  return /(^|\/)[\w.-]*loader[\w.-]*\.ts$/.test(file) && (file.startsWith('hosts/') || file.startsWith('plugins/'));
}

export function layerOf(path: string): Layer | undefined {
  // A relative import names the compiled `.js`; the file on disk is `.ts`.
  if (path === 'index.js' || path === 'index.ts') return 'index.ts';
  if (path.startsWith('core/domain/')) return 'core/domain';
  if (path.startsWith('core/app/')) return 'core/app';
  const top = path.split('/')[0];
  return LAYERS.find((l) => l === top);
}

/** Strips comments so that examples in doc comments are not mistaken for imports. */
function stripComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
}

export function importsOf(file: string, source: string): ImportEdge[] {
  const code = stripComments(source);
  const patterns = [
    /\b(?:import|export)\s+(?:type\s+)?[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]/g,
    /\bimport\s*['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  const specifiers = new Set<string>();
  for (const pattern of patterns) for (const m of code.matchAll(pattern)) if (m[1]) specifiers.add(m[1]);
  return [...specifiers].map((specifier) => {
    if (!specifier.startsWith('.')) return { file, specifier };
    const target = normalize(join(dirname(file), specifier))
      .split(sep)
      .join('/');
    return { file, specifier, target };
  });
}

export function check(edge: ImportEdge): Violation | undefined {
  const from = layerOf(edge.file);
  const to = edge.target ? layerOf(edge.target) : undefined;
  const v = (rule: string): Violation => ({ file: edge.file, specifier: edge.specifier, rule });
  if (edge.target?.startsWith('..')) return v('imports from outside the repository');
  if (to === 'custom' && from !== 'custom' && !isPluginLoader(edge.file)) return v('only the plugin loader imports custom/');
  if (from === 'core') return v('core/ holds only domain/ and app/');
  const inner = from ? INNER[from] : undefined;
  if (inner) {
    if (edge.target === undefined && !PURE_PACKAGES.includes(edge.specifier))
      return v(`${from} imports only ${PURE_PACKAGES.join(', ')} among packages`);
    if (edge.target !== undefined && !(to && inner.may.includes(to))) return v(inner.rule);
  }
  if ((from === 'adapters' || from === 'plugins') && to === 'hosts') return v(`${from} never import hosts`);
  if (from === 'adapters' && (to === 'plugins' || to === 'custom')) return v('adapters never import plugins or custom');
  if (from === 'plugins' && to === 'adapters') return v('plugins reach adapters through ports and the container');
  if (from === 'custom' && (to === 'hosts' || to === 'adapters')) return v('custom imports only plugins, ports and core');
  if (to === 'index.ts' && from !== undefined) return v('the library entry is for embedders, not for the code it exports');
  return undefined;
}

export function sourceFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      if (name === 'node_modules' || name.startsWith('.')) continue;
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.(ts|mts|cts|js|mjs)$/.test(name)) out.push(relative(root, path).split(sep).join('/'));
    }
  };
  for (const layer of ROOTS) {
    const path = join(root, layer);
    try {
      if (statSync(path).isDirectory()) walk(path);
      else out.push(layer);
    } catch {
      // a layer that does not exist yet has nothing to check
    }
  }
  return out.sort();
}

export function violationsIn(root: string): Violation[] {
  return sourceFiles(root).flatMap((file) =>
    importsOf(file, readFileSync(join(root, file), 'utf8'))
      .map(check)
      .filter((v): v is Violation => v !== undefined),
  );
}
