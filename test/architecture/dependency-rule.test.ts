import { describe, expect, it } from 'vitest';
import { check, importsOf, sourceFiles, violationsIn } from './import-graph.js';

const root = process.cwd();

describe('the dependency rule', () => {
  it('holds for every source file in the repository', () => {
    const files = sourceFiles(root);
    expect(files.some((f) => f.startsWith('core/'))).toBe(true);
    expect(files.some((f) => f.startsWith('hosts/'))).toBe(true);
    const violations = violationsIn(root).map((v) => `${v.file} → ${v.specifier}: ${v.rule}`);
    expect(violations).toEqual([]);
  });
});

describe('the checker itself', () => {
  const violation = (file: string, source: string) =>
    importsOf(file, source)
      .map(check)
      .filter(Boolean)
      .map((v) => v?.rule);

  it.each<[string, string, string]>([
    ['core/x.ts', "import { a } from '../adapters/storage/create-storage.js';", 'core imports nothing outside core'],
    ['core/x.ts', "import { readFile } from 'node:fs';", 'core imports only neverthrow among packages'],
    ['core/x.ts', "import { z } from 'zod';", 'core imports only neverthrow among packages'],
    ['core/x.ts', "export * from '../ports/clock.port.js';", 'core imports nothing outside core'],
    ['core/x.ts', "const m = await import('../hosts/config.js');", 'core imports nothing outside core'],
    ['ports/x.port.ts', "import type { Storage } from '../adapters/storage/plain.js';", 'ports import only core'],
    ['ports/x.port.ts', "import { z } from 'zod';", 'ports import only core and pure packages'],
    ['adapters/a/b.ts', "import type { Config } from '../../hosts/config.js';", 'adapters never import hosts'],
    ['plugins/steps/s.ts', "import { x } from '../../hosts/container.js';", 'plugins never import hosts'],
    ['hosts/http/app.ts', "import step from '../../custom/steps/my.step.js';", 'only the plugin loader imports custom/'],
    ['adapters/a/b.ts', "import '../../custom/x.js';", 'only the plugin loader imports custom/'],
    ['hosts/x.ts', "import { y } from '../index.js';", 'the library entry is for embedders, not for the code it exports'],
  ])('%s: %s is refused', (file, source, rule) => {
    expect(violation(file, source)).toEqual([rule]);
  });

  it.each<[string, string]>([
    ['core/x.ts', "import { ok } from 'neverthrow';\nimport type { Mapping } from './model.js';"],
    ['core/x.ts', "/** import { z } from 'zod'; */\n// import fs from 'node:fs'\nconst url = 'https://x//y';"],
    ['ports/x.port.ts', "import type { Job } from '../core/domain/model.js';\nimport type { ServiceError } from './errors.js';"],
    ['hosts/plugins/plugin-loader.ts', "const m = await import('../../custom/steps/a.step.js');"],
    ['hosts/container.ts', "import { createStorage } from '../adapters/storage/create-storage.js';"],
    ['custom/steps/a.step.ts', "import { defineStep } from '../../plugins/steps/define-step.js';"],
  ])('%s: allowed', (file, source) => {
    expect(violation(file, source)).toEqual([]);
  });
});
