import type { DefinedStep } from './define-step.js';
import type { ServiceFactory } from './run-context.js';

/** A service some step provides, as the session runtime registers it. */
export interface ProvidedService {
  key: string;
  /** The step module that provides it. */
  step: string;
  factory: ServiceFactory;
}

/** Container keys are destructured by providers and steps (awilix PROXY), so they are identifiers. */
const SERVICE_KEY = /^[A-Za-z_$][\w$]*$/;

/**
 * Checks, at boot, what the steps need against what the run's container will hold: the
 * built-in services plus every step's `provides`. A provided key may not shadow a built-in
 * (steps would get different services depending on load order) nor another step's key.
 * Each problem names the step's file and the key.
 */
export function checkStepServices(
  steps: readonly { step: DefinedStep; file: string }[],
  builtIns: readonly string[],
): { providers: ProvidedService[]; problems: { file: string; problem: string }[] } {
  const problems: { file: string; problem: string }[] = [];
  const providers = new Map<string, ProvidedService & { file: string }>();
  for (const { step, file } of steps) {
    for (const [key, factory] of Object.entries(step.provides)) {
      const other = providers.get(key);
      if (!SERVICE_KEY.test(key)) {
        problems.push({ file, problem: `provides "${key}", which is not a valid service name (letters, digits, _ and $)` });
      } else if (builtIns.includes(key)) {
        problems.push({ file, problem: `provides "${key}", which is a built-in service and cannot be replaced` });
      } else if (other) {
        problems.push({ file, problem: `provides "${key}", which ${other.file} already provides` });
      } else {
        providers.set(key, { key, step: step.name, factory, file });
      }
    }
  }
  const available = [...builtIns, ...providers.keys()];
  for (const { step, file } of steps) {
    const missing = step.needs.filter((need) => !available.includes(need));
    if (missing.length > 0) {
      problems.push({
        file,
        problem: `needs ${missing.map((m) => `"${m}"`).join(', ')}, which the container does not provide and no step provides (available: ${available.join(', ')})`,
      });
    }
  }
  return { providers: [...providers.values()].map(({ key, step, factory }) => ({ key, step, factory })), problems };
}
