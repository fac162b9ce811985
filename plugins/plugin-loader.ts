import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { Phase } from '../core/domain/model.js';
import type { PipelineDefinition } from '../ports/pipeline.port.js';
import { CUSTOM_IMPORT_TIMEOUT_MS, importDefault, namedInstead } from './custom-import.js';
import { isDefinedPipeline } from './define-pipeline.js';
import { type DefinedStep, isDefinedStep } from './define-step.js';
import { describeZodError, parsePipeline, validatePipeline } from './pipeline-definition.js';
import { prepareCustomImports } from './plugin-api-resolution.js';
import { checkStepServices, type ProvidedService } from './step-services-check.js';
import { BUILT_IN_STEPS } from './steps/index.js';

/**
 * The plugin loader — the one module that reads `custom/` (each module imported by
 * custom-import.ts). Built-in pipelines (`plugins/pipelines/*.yml`) and steps
 * (`plugins/steps/*.step.ts`) are resolved by name together with the operator's (CUSTOM_DIR)
 * `pipelines/*.yml`, `pipelines/*.pipeline.ts` (`definePipeline`) and `steps/*.step.ts`
 * (`defineStep`; also `.mts`, `.js`, `.mjs`): a custom file with a built-in's name overrides it
 * (`override`), a new name is `additive`. Custom files import the plugin API as
 * `ai-implement/plugins`, wherever the directory lives.
 *
 * Loading is all or nothing: every custom file is checked (YAML and schema, the module's
 * export, its name, each step's `needs` against the container's services and the steps'
 * `provides`, each pipeline's step modules and settings) and any problem fails the load with
 * a message naming each file and its problem. A missing directory is no customization.
 */

export type ModuleStatus = 'built-in' | 'override' | 'additive';
export type CustomCategory = 'pipeline' | 'step' | 'provider' | 'other';

export interface StepModuleInfo {
  name: string;
  status: ModuleStatus;
  builtInPath: string | null;
  customPath: string | null;
  needs: string[];
  /** The service keys it adds to the run's container. */
  provides: string[];
}

export interface PipelineInfo {
  name: string;
  phase: Phase;
  status: ModuleStatus;
  builtInPath: string | null;
  customPath: string | null;
  steps: { id: string; module: string; settings?: Record<string, unknown> }[];
}

export interface CustomizationFile {
  /** `custom/…`, as the operator sees it in the working tree. */
  path: string;
  category: CustomCategory;
  status: 'override' | 'additive' | '—';
  /** The built-in file it shadows, when it overrides one. */
  upstreamPath: string | null;
  size: number;
  /** ISO-8601. */
  modifiedAt: string;
}

export interface PluginCatalog {
  pipelines: PipelineInfo[];
  steps: StepModuleInfo[];
  /** The files under custom/ when the catalog was loaded. */
  customizations: CustomizationFile[];
  /** The files under custom/ now (a file added since boot is listed, though not loaded until a restart). */
  scanCustomizations(): Promise<CustomizationFile[]>;
  pipeline(name: string): PipelineDefinition | undefined;
  step(name: string): DefinedStep | undefined;
  /** Every service a step provides, for the session runtime to register beside the built-ins. */
  providers: readonly ProvidedService[];
  /** A pipeline step's settings, already parsed by its module's schema at load time. */
  settings(pipeline: string, stepId: string): unknown;
}

export interface LoadPluginsOptions {
  /** The operator's custom directory (CUSTOM_DIR; `<cwd>/custom` by default). */
  customDir: string;
  /** The built-in container keys; a step needing a key neither these nor a step provides fails the load. */
  services: readonly string[];
  /** Built-in pipelines directory (tests); default `plugins/pipelines`. */
  builtInPipelinesDir?: string;
  /** Built-in steps (tests); default every module of `plugins/steps`. */
  builtInSteps?: readonly DefinedStep[];
  /** How long one custom module may take to import (tests); default `CUSTOM_IMPORT_TIMEOUT_MS` (custom-import.ts). */
  importTimeoutMs?: number;
}

export class PluginLoadError extends Error {
  constructor(readonly problems: { file: string; problem: string }[]) {
    super(`Broken customization — nothing was loaded:\n${problems.map((p) => `  ${p.file}: ${p.problem}`).join('\n')}`);
    this.name = 'PluginLoadError';
  }
}

const BUILT_IN_PIPELINES_DIR = fileURLToPath(new URL('./pipelines/', import.meta.url));
/**
 * The built-in pipelines' text by file name, when this code runs as the session bundle: its build
 * (hosts/session-bundle/build.ts) embeds them, since the bundle is one file without plugins/.
 */
declare const AI_IMPLEMENT_EMBEDDED_PIPELINES: Readonly<Record<string, string>> | undefined;
const STEP_FILE = /^([a-z0-9][a-z0-9-]*)\.step\.(ts|mts|js|mjs)$/;
const PIPELINE_FILE = /^([a-z0-9][a-z0-9-]*)\.ya?ml$/;
const PIPELINE_MODULE_FILE = /^([a-z0-9][a-z0-9-]*)\.pipeline\.(ts|mts|js|mjs)$/;

const builtInPipelinePath = (name: string) => `plugins/pipelines/${name}.yml`;
const builtInStepPath = (name: string) => `plugins/steps/${name}.step.ts`;

async function listFiles(dir: string): Promise<string[]> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true, recursive: true });
  } catch {
    return [];
  }
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

/** A `definePipeline` module, checked again by the schema (its export could be hand-made). */
async function importPipeline(
  file: string,
  name: string,
  timeoutMs: number,
): Promise<{ ok: PipelineDefinition } | { problem: string }> {
  const exported = await importDefault(file, timeoutMs);
  if ('problem' in exported) return exported;
  if (!isDefinedPipeline(exported.value)) {
    return {
      problem: `its default export is not a pipeline made with definePipeline({ name, phase, steps })${namedInstead(exported, isDefinedPipeline)}`,
    };
  }
  const { kind: _kind, ...declared } = exported.value;
  return validatePipeline(declared, name, `the file is named for "${name}"`);
}

/** The built-in pipeline files, by file name: embedded in the session bundle, else read from `dir`. */
async function builtInPipelineFiles(dir: string | undefined): Promise<{ fileName: string; text: string }[]> {
  if (dir === undefined && typeof AI_IMPLEMENT_EMBEDDED_PIPELINES !== 'undefined') {
    return Object.entries(AI_IMPLEMENT_EMBEDDED_PIPELINES)
      .map(([fileName, text]) => ({ fileName, text }))
      .sort((a, b) => a.fileName.localeCompare(b.fileName));
  }
  const root = dir ?? BUILT_IN_PIPELINES_DIR;
  const files = (await listFiles(root)).filter((f) => PIPELINE_FILE.test(relative(root, f))).sort();
  return Promise.all(files.map(async (file) => ({ fileName: relative(root, file), text: await readFile(file, 'utf8') })));
}

export async function loadPlugins(options: LoadPluginsOptions): Promise<PluginCatalog> {
  const { customDir, services } = options;
  const timeoutMs = options.importTimeoutMs ?? CUSTOM_IMPORT_TIMEOUT_MS;
  const display = (file: string) => `custom/${relative(customDir, file).split(sep).join('/')}`;
  const problems: { file: string; problem: string }[] = [];

  // Steps: built-ins, then custom modules by their file name.
  const steps = new Map<string, { step: DefinedStep; info: StepModuleInfo }>();
  for (const step of options.builtInSteps ?? BUILT_IN_STEPS) {
    steps.set(step.name, {
      step,
      info: {
        name: step.name,
        status: 'built-in',
        builtInPath: builtInStepPath(step.name),
        customPath: null,
        needs: [...step.needs],
        provides: Object.keys(step.provides),
      },
    });
  }
  const customFiles = await listFiles(customDir);
  await prepareCustomImports(customFiles);
  const stepFiles = customFiles.filter(
    (f) => relative(customDir, f).split(sep)[0] === 'steps' && STEP_FILE.test(relative(join(customDir, 'steps'), f)),
  );
  for (const file of stepFiles.sort()) {
    const name = STEP_FILE.exec(relative(join(customDir, 'steps'), file))?.[1] ?? '';
    const exported = await importDefault(file, timeoutMs);
    if ('problem' in exported) {
      problems.push({ file: display(file), problem: exported.problem });
      continue;
    }
    if (!isDefinedStep(exported.value)) {
      problems.push({
        file: display(file),
        problem: `its default export is not a step made with defineStep({ name, needs, config, run })${namedInstead(exported, isDefinedStep)}`,
      });
      continue;
    }
    const step = exported.value;
    if (step.name !== name) {
      problems.push({
        file: display(file),
        problem: `declares name "${step.name}" but the file is named for "${name}"; they must agree`,
      });
      continue;
    }
    const builtIn = steps.get(name);
    steps.set(name, {
      step,
      info: {
        name,
        status: builtIn ? 'override' : 'additive',
        builtInPath: builtIn ? builtIn.info.builtInPath : null,
        customPath: display(file),
        needs: [...step.needs],
        provides: Object.keys(step.provides),
      },
    });
  }

  // Every module's needs, built-in or custom, against the built-in services and the steps' provides.
  const checked = checkStepServices(
    [...steps.values()].map(({ step, info }) => ({ step, file: info.customPath ?? info.builtInPath ?? step.name })),
    services,
  );
  problems.push(...checked.problems);

  // Pipelines: built-ins, then custom files by their file name.
  const pipelines = new Map<string, { definition: PipelineDefinition; info: PipelineInfo; file: string }>();
  for (const { fileName, text } of await builtInPipelineFiles(options.builtInPipelinesDir)) {
    const parsed = parsePipeline(text, fileName);
    const name = fileName.replace(/\.ya?ml$/, '');
    // A broken built-in is a bug in this package, not an operator's mistake.
    if ('problem' in parsed) throw new Error(`built-in pipeline ${builtInPipelinePath(name)}: ${parsed.problem}`);
    pipelines.set(name, {
      definition: parsed.ok,
      file: builtInPipelinePath(name),
      info: {
        name,
        phase: parsed.ok.phase,
        status: 'built-in',
        builtInPath: builtInPipelinePath(name),
        customPath: null,
        steps: parsed.ok.steps,
      },
    });
  }
  const inPipelines = (f: string) => relative(join(customDir, 'pipelines'), f);
  const pipelineFiles = customFiles.filter(
    (f) =>
      relative(customDir, f).split(sep)[0] === 'pipelines' &&
      (PIPELINE_FILE.test(inPipelines(f)) || PIPELINE_MODULE_FILE.test(inPipelines(f))),
  );
  const customPipelineFiles = new Map<string, string>();
  for (const file of pipelineFiles.sort()) {
    const parsed = PIPELINE_FILE.test(inPipelines(file))
      ? parsePipeline(await readFile(file, 'utf8'), inPipelines(file))
      : await importPipeline(file, PIPELINE_MODULE_FILE.exec(inPipelines(file))?.[1] ?? '', timeoutMs);
    if ('problem' in parsed) {
      problems.push({ file: display(file), problem: parsed.problem });
      continue;
    }
    const name = parsed.ok.name;
    const twin = customPipelineFiles.get(name);
    if (twin) {
      problems.push({ file: display(file), problem: `pipeline "${name}" is also defined by ${twin}; keep one` });
      continue;
    }
    customPipelineFiles.set(name, display(file));
    const builtIn = pipelines.get(name);
    pipelines.set(name, {
      definition: parsed.ok,
      file: display(file),
      info: {
        name,
        phase: parsed.ok.phase,
        status: builtIn && builtIn.info.status === 'built-in' ? 'override' : 'additive',
        builtInPath: builtIn ? builtIn.info.builtInPath : null,
        customPath: display(file),
        steps: parsed.ok.steps,
      },
    });
  }

  // Files in custom/steps/ not named as step files, by the name before their first dot (a hint
  // when a pipeline names a module that is missing: `lint.ts` for `lint.step.ts`).
  const notStepFiles = customFiles
    .filter((f) => relative(customDir, f).split(sep)[0] === 'steps' && !stepFiles.includes(f))
    .map((f) => ({
      path: display(f),
      base: (relative(join(customDir, 'steps'), f).split(sep).pop() ?? '').split('.')[0]?.toLowerCase(),
    }));

  // Every pipeline's steps must resolve, and their settings must parse, with the final modules.
  const settings = new Map<string, unknown>();
  for (const [name, { definition, file }] of pipelines) {
    for (const s of definition.steps) {
      const module = steps.get(s.module);
      if (!module) {
        const missed = notStepFiles.find((f) => f.base === s.module);
        problems.push({
          file,
          problem:
            `step "${s.id}" uses module "${s.module}", which is neither built in nor in custom/steps/` +
            (missed ? ` (${missed.path} is not loaded: a step file is named ${s.module}.step.ts, .mts, .js or .mjs)` : ''),
        });
        continue;
      }
      try {
        settings.set(`${name}\u0000${s.id}`, module.step.parseSettings(s.settings ?? {}));
      } catch (error) {
        const detail =
          error instanceof z.ZodError ? describeZodError(error) : error instanceof Error ? error.message : String(error);
        problems.push({ file, problem: `settings of step "${s.id}" (module ${s.module}) are invalid: ${detail}` });
      }
    }
  }

  if (problems.length > 0) throw new PluginLoadError(problems);

  const builtInPipelines = new Set([...pipelines.values()].filter((p) => p.info.builtInPath).map((p) => p.info.name));
  const builtInStepNames = new Set([...steps.values()].filter((s) => s.info.builtInPath).map((s) => s.info.name));
  const customizations = await describeCustomFiles(customDir, builtInPipelines, builtInStepNames);

  return {
    pipelines: [...pipelines.values()].map((p) => p.info).sort((a, b) => a.name.localeCompare(b.name)),
    steps: [...steps.values()].map((s) => s.info).sort((a, b) => a.name.localeCompare(b.name)),
    customizations,
    scanCustomizations: () => describeCustomFiles(customDir, builtInPipelines, builtInStepNames),
    pipeline: (name) => pipelines.get(name)?.definition,
    step: (name) => steps.get(name)?.step,
    providers: checked.providers,
    settings: (pipeline, stepId) => settings.get(`${pipeline}\u0000${stepId}`),
  };
}

/**
 * Every file under custom/ with its category (`pipeline`, `step`, `provider`, `other`), its
 * status against the built-ins (`override`, `additive`, `—` for other files), the built-in
 * it shadows, its size and modification time.
 */
export async function describeCustomFiles(
  customDir: string,
  builtInPipelines: ReadonlySet<string>,
  builtInSteps: ReadonlySet<string>,
): Promise<CustomizationFile[]> {
  const files = (await listFiles(customDir)).sort();
  const described = await Promise.all(
    files.map(async (file): Promise<CustomizationFile | undefined> => {
      let info: import('node:fs').Stats;
      try {
        info = await stat(file);
      } catch {
        return undefined; // removed while listing
      }
      const [top] = relative(customDir, file).split(sep);
      const stepName = top === 'steps' ? STEP_FILE.exec(relative(join(customDir, 'steps'), file))?.[1] : undefined;
      const inPipelines = relative(join(customDir, 'pipelines'), file);
      const pipelineName =
        top === 'pipelines' ? (PIPELINE_FILE.exec(inPipelines)?.[1] ?? PIPELINE_MODULE_FILE.exec(inPipelines)?.[1]) : undefined;
      const base = {
        path: `custom/${relative(customDir, file).split(sep).join('/')}`,
        size: info.size,
        modifiedAt: info.mtime.toISOString(),
      };
      if (stepName) {
        const upstream = builtInSteps.has(stepName) ? builtInStepPath(stepName) : null;
        return { ...base, category: 'step', status: upstream ? 'override' : 'additive', upstreamPath: upstream };
      }
      if (pipelineName) {
        const upstream = builtInPipelines.has(pipelineName) ? builtInPipelinePath(pipelineName) : null;
        return { ...base, category: 'pipeline', status: upstream ? 'override' : 'additive', upstreamPath: upstream };
      }
      if (top === 'providers' && !file.endsWith('.gitkeep'))
        return { ...base, category: 'provider', status: 'additive', upstreamPath: null };
      return { ...base, category: 'other', status: '—', upstreamPath: null };
    }),
  );
  return described.filter((d): d is CustomizationFile => d !== undefined);
}
