import type { Table } from '../document/document-backend.js';

/**
 * Where each item lives in the key-value store. unstorage rewrites keys (`/` and `\` become
 * `:`, anything after `?` is cut, `..` segments are refused, a trailing `$` hides a key from
 * listings), so every caller-given part is percent-encoded, dots and all, into one segment
 * that survives every driver: a file name on fs, a key on redis.
 */
export function segment(part: string): string {
  return encodeURIComponent(part).replace(/[.!'()*~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * The key prefix of a table: the names of earlier versions where the layout is unchanged
 * (`mappings:ENG`, `jobs:<id>`, `records:<collection>:<id>`); streams and the dispatch log
 * were redis lists before and are now plain items under new names.
 */
export function tablePrefix(table: Table): string {
  if (table.startsWith('documents:')) return `records:${segment(table.slice('documents:'.length))}`;
  return table;
}

export function itemKey(table: Table, id: string): string {
  return `${tablePrefix(table)}:${segment(id)}`;
}

/** The id back from a key under `prefix`, or undefined for a key of a deeper table. */
export function idOf(key: string, prefix: string): string | undefined {
  if (!key.startsWith(`${prefix}:`)) return undefined;
  const rest = key.slice(prefix.length + 1);
  return rest.includes(':') ? undefined : decodeURIComponent(rest);
}
