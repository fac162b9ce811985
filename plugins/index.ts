/**
 * `ai-implement/plugins` — the public plugin API: what a custom step or pipeline file imports.
 * Built-ins use the same functions, so a custom module is checked exactly as they are.
 *
 * `z` is this package's own zod: settings schemas made with it are the instances the loader
 * parses with, and a CUSTOM_DIR outside the package needs no zod of its own.
 */
export { z } from 'zod';
export type { Phase } from '../core/domain/model.js';
export type { PipelineDefinition } from '../ports/pipeline.port.js';
export {
  type DefinedPipeline,
  definePipeline,
  type PipelineDeclaration,
  PipelineDeclarationError,
  type PipelineStepDeclaration,
} from './define-pipeline.js';
export {
  type DefinedStep,
  defineStep,
  StepDeclarationError,
  type StepDefinition,
  type StepOutcome,
} from './define-step.js';
export type {
  IssueContext,
  RepoContext,
  RunContext,
  RunResultDraft,
  ServiceFactory,
  ServicesFor,
  Shell,
  ShellCommand,
  ShellResult,
  StatusReporter,
  StepCradle,
  StepNeed,
  StepServiceKey,
  StepServices,
} from './run-context.js';
