/**
 * Fitness function for ARCHITECTURE.md's rule "core/domain is pure": every core/domain/*.ts
 * imports only other domain modules (and neverthrow, whose Results are how the core reports
 * expected failures), and never reads a clock or a random source. The use cases (core/app)
 * may format a time they were given, but read the clock, randomness and the process only
 * through ports, and use no Node-only global. Comments and string contents are skipped, so a
 * doc comment may name what it must not call.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const CORE = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'core', 'domain');
const APP = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'core', 'app');
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
      const resolved = normalize(join('core/domain', spec));
      if (!resolved.startsWith('core/domain/') || resolved.slice('core/domain/'.length).includes('/'))
        problems.push(`imports ${spec} (outside core/domain/)`);
    } else if (!ALLOWED_PACKAGES.has(spec)) {
      problems.push(`imports ${spec}`);
    }
  }
  for (const [pattern, name] of FORBIDDEN_CALLS) if (pattern.test(text)) problems.push(`calls ${name}`);
  return problems;
}

describe('core/domain is pure', () => {
  const files = readdirSync(CORE).filter((f) => f.endsWith('.ts'));

  it('has modules to check', () => {
    expect(files).toContain('planner.ts');
    expect(files).toContain('model.ts');
  });

  it.each(files)('core/domain/%s imports nothing outside core/domain/ and reads no clock or randomness', (file) => {
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
      'imports ../ports/storage.port.js (outside core/domain/)',
      'imports ./sub/deep.js (outside core/domain/)',
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

/** What a use case must get from a port (Clock, Ids, Signing) or its settings, never from the runtime. */
const APP_FORBIDDEN: [RegExp, string][] = [
  ...FORBIDDEN_CALLS.filter(([, name]) => name !== 'new Date('),
  [/\bBuffer\b/, 'Buffer'],
  [/\bprocess\s*\./, 'process.*'],
  [/\brequire\s*\(/, 'require('],
];

function appViolations(source: string): string[] {
  const text = code(source);
  return APP_FORBIDDEN.filter(([pattern]) => pattern.test(text)).map(([, name]) => `uses ${name}`);
}

function tsFilesUnder(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? tsFilesUnder(join(dir, entry.name), `${prefix}${entry.name}/`)
      : entry.name.endsWith('.ts')
        ? [`${prefix}${entry.name}`]
        : [],
  );
}

describe('core/app reads time, randomness and the process only through ports', () => {
  const files = tsFilesUnder(APP);

  it('has use cases to check', () => {
    expect(files).toContain('runs/run-watcher.service.ts');
  });

  it.each(files)('core/app/%s', (file) => {
    expect(appViolations(readFileSync(join(APP, file), 'utf8'))).toEqual([]);
  });

  it('catches each (the check can fail), and lets a given time be formatted', () => {
    const bad = ['const t = Date.now();', "const b = Buffer.from('x');", 'const v = process.version;'].join('\n');
    expect(appViolations(bad)).toEqual(['uses Date.now(', 'uses Buffer', 'uses process.*']);
    expect(appViolations('const iso = (ms: number) => new Date(ms).toISOString();')).toEqual([]);
  });
});
