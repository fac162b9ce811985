/**
 * Fitness function for ARCHITECTURE.md's rule "core/ is pure": every core/*.ts imports only
 * other core modules (and neverthrow, whose Results are how the core reports expected
 * failures), and never reads a clock or a random source. Comments and string contents are
 * skipped, so a doc comment may name what it must not call.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const CORE = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'core');
/** Packages the core may import: only pure libraries. */
const ALLOWED_PACKAGES = new Set(['neverthrow']);
const FORBIDDEN_CALLS: [RegExp, string][] = [
  [/\bDate\s*\.\s*now\s*\(/, 'Date.now('],
  [/\bnew\s+Date\s*\(/, 'new Date('],
  [/\bMath\s*\.\s*random\s*\(/, 'Math.random('],
  [/\brandomUUID\s*\(/, 'randomUUID('],
  [/\bperformance\s*\.\s*now\s*\(/, 'performance.now('],
  [/\bprocess\s*\.\s*(env|hrtime|argv)\b/, 'process.*'],
];

/** The source with comments removed and string/template contents blanked, keeping import specifiers. */
function code(source: string): string {
  let out = '';
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    const next = source[i + 1];
    if (c === '/' && next === '/') {
      while (i < source.length && source[i] !== '\n') i++;
    } else if (c === '/' && next === '*') {
      const end = source.indexOf('*/', i + 2);
      i = end === -1 ? source.length : end + 2;
    } else if (c === "'" || c === '"' || c === '`') {
      let j = i + 1;
      while (j < source.length && source[j] !== c) j += source[j] === '\\' ? 2 : 1;
      const body = source.slice(i + 1, j);
      // Keep short specifier-like strings whole (imports need them); blank prose.
      out += c + (/^[\w@./:-]*$/.test(body) ? body : ' ') + c;
      i = j + 1;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

function findViolations(source: string): string[] {
  const text = code(source);
  const problems: string[] = [];
  const specifiers = [
    ...text.matchAll(/\b(?:import|export)\s[^;]*?\bfrom\s*['"]([^'"]+)['"]/g),
    ...text.matchAll(/\bimport\s*['"]([^'"]+)['"]/g),
    ...text.matchAll(/\bimport\s*\(\s*['"]?([^'")]*)['"]?\s*\)/g),
    ...text.matchAll(/\brequire\s*\(\s*['"]?([^'")]*)['"]?\s*\)/g),
  ].map((m) => m[1]!);
  for (const spec of specifiers) {
    if (spec.startsWith('.')) {
      const resolved = normalize(join('core', spec));
      if (!resolved.startsWith('core/') || resolved.slice(5).includes('/')) problems.push(`imports ${spec} (outside core/)`);
    } else if (!ALLOWED_PACKAGES.has(spec)) {
      problems.push(`imports ${spec}`);
    }
  }
  for (const [pattern, name] of FORBIDDEN_CALLS) if (pattern.test(text)) problems.push(`calls ${name}`);
  return problems;
}

describe('core/ is pure', () => {
  const files = readdirSync(CORE).filter((f) => f.endsWith('.ts'));

  it('has modules to check', () => {
    expect(files).toContain('planner.ts');
    expect(files).toContain('model.ts');
  });

  it.each(files)('core/%s imports nothing outside core/ and reads no clock or randomness', (file) => {
    expect(findViolations(readFileSync(join(CORE, file), 'utf8'))).toEqual([]);
  });

  it('catches every kind of violation (the check can fail)', () => {
    const bad = [
      "import { readFile } from 'node:fs';",
      "import { z } from 'zod';",
      "import type { Storage } from '../ports/storage.port.js';",
      "export { x } from './sub/deep.js';",
      "const m = await import('node:crypto');",
      'const t = Date.now();',
      'const d = new Date ();',
      'const r = Math.random();',
      'const id = crypto.randomUUID();',
    ].join('\n');
    expect(findViolations(bad)).toEqual([
      'imports node:fs',
      'imports zod',
      'imports ../ports/storage.port.js (outside core/)',
      'imports ./sub/deep.js (outside core/)',
      'imports node:crypto',
      'calls Date.now(',
      'calls new Date(',
      'calls Math.random(',
      'calls randomUUID(',
    ]);
  });

  it('ignores comments and prose in strings, and allows core-relative imports and neverthrow', () => {
    const fine = [
      '/** Never call Date.now() here; see https://example.com/x. */',
      "import { ok } from 'neverthrow';",
      "import type { Job } from './model.js';",
      "export * from './planner.js';",
      "const help = 'use new Date() outside the core';",
      '// Math.random() would break determinism',
    ].join('\n');
    expect(findViolations(fine)).toEqual([]);
  });
});
