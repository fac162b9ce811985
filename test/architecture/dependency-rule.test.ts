import { describe, expect, it } from 'vitest';
import { check, importsOf, sourceFiles, violationsIn } from './import-graph.js';

const root = process.cwd();

describe('the dependency rule', () => {
  it('holds for every source file in the repository', () => {
    const files = sourceFiles(root);
    expect(files.some((f) => f.startsWith('core/domain/'))).toBe(true);
    expect(files.some((f) => f.startsWith('core/app/'))).toBe(true);
    expect(files.some((f) => f.startsWith('hosts/'))).toBe(true);
    // core/ is the pure domain and the use cases, nothing beside them.
    expect(files.filter((f) => f.startsWith('core/') && !/^core\/(domain|app)\//.test(f))).toEqual([]);
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
    ['core/domain/x.ts', "import { a } from '../../adapters/storage/create-storage.js';", 'core/domain imports only core/domain'],
    ['core/domain/x.ts', "import { readFile } from 'node:fs';", 'core/domain imports only neverthrow among packages'],
    ['core/domain/x.ts', "import { z } from 'zod';", 'core/domain imports only neverthrow among packages'],
    ['core/domain/x.ts', "export * from '../../ports/clock.port.js';", 'core/domain imports only core/domain'],
    ['core/domain/x.ts', "import { d } from '../app/dispatch/dispatch.service.js';", 'core/domain imports only core/domain'],
    ['core/domain/x.ts', "const m = await import('../../hosts/config.js');", 'core/domain imports only core/domain'],
    ['core/app/runs/x.ts', "import { createHash } from 'node:crypto';", 'core/app imports only neverthrow among packages'],
    [
      'core/app/pulls/x.ts',
      "import { verify } from '@octokit/webhooks-methods';",
      'core/app imports only neverthrow among packages',
    ],
    [
      'core/app/runs/x.ts',
      "import { createLocalRunner } from '../../../adapters/runners/local/local.runner.js';",
      'core/app imports only core/domain, ports and core/app',
    ],
    [
      'core/app/views/x.ts',
      "import { secretValues } from '../../../hosts/logger.js';",
      'core/app imports only core/domain, ports and core/app',
    ],
    [
      'core/app/operations/x.ts',
      "import { renderWorkflowTemplates } from '../../../plugins/workflow-templates/workflow-templates.js';",
      'core/app imports only core/domain, ports and core/app',
    ],
    [
      'core/app/x.ts',
      "import { createOrchestrator } from '../../index.js';",
      'core/app imports only core/domain, ports and core/app',
    ],
    ['core/x.ts', "import { ok } from 'neverthrow';", 'core/ holds only domain/ and app/'],
    [
      'ports/x.port.ts',
      "import type { Storage } from '../adapters/storage/plain.js';",
      'ports import only core/domain and ports',
    ],
    [
      'ports/x.port.ts',
      "import type { R } from '../core/app/runs/run-watcher.service.js';",
      'ports import only core/domain and ports',
    ],
    ['ports/x.port.ts', "import { z } from 'zod';", 'ports imports only neverthrow among packages'],
    ['adapters/a/b.ts', "import type { Config } from '../../hosts/config.js';", 'adapters never import hosts'],
    ['plugins/steps/s.ts', "import { x } from '../../hosts/container.js';", 'plugins never import hosts'],
    ['hosts/http/app.ts', "import step from '../../custom/steps/my.step.js';", 'only the plugin loader imports custom/'],
    ['adapters/a/b.ts', "import '../../custom/x.js';", 'only the plugin loader imports custom/'],
    ['hosts/x.ts', "import { y } from '../index.js';", 'the library entry is for embedders, not for the code it exports'],
  ])('%s: %s is refused', (file, source, rule) => {
    expect(violation(file, source)).toEqual([rule]);
  });

  it.each<[string, string]>([
    ['core/domain/x.ts', "import { ok } from 'neverthrow';\nimport type { Mapping } from './model.js';"],
    ['core/domain/x.ts', "/** import { z } from 'zod'; */\n// import fs from 'node:fs'\nconst url = 'https://x//y';"],
    [
      'core/app/runs/x.ts',
      [
        "import { ok } from 'neverthrow';",
        "import type { Runner } from '../../../ports/runner.port.js';",
        "import type { Job } from '../../domain/model.js';",
        "import { createPeriodicTask } from '../operations/periodic-task.js';",
      ].join('\n'),
    ],
    ['ports/x.port.ts', "import type { Job } from '../core/domain/model.js';\nimport type { ServiceError } from './errors.js';"],
    ['hosts/plugins/plugin-loader.ts', "const m = await import('../../custom/steps/a.step.js');"],
    ['hosts/container.ts', "import { createStorage } from '../adapters/storage/create-storage.js';"],
    ['hosts/composition/forges.ts', "import { createForgeRegistry } from '../../core/app/pulls/forge-registry.js';"],
    ['custom/steps/a.step.ts', "import { defineStep } from '../../plugins/steps/define-step.js';"],
  ])('%s: allowed', (file, source) => {
    expect(violation(file, source)).toEqual([]);
  });
});
