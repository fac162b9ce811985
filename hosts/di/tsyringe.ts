import 'reflect-metadata';
import { type DependencyContainer, instanceCachingFactory } from 'tsyringe';
import type { Core } from '../composition/create-core.js';
import type { Orchestrator } from '../container.js';
import { EXPOSED_SERVICES, type ExposedService, exposedServices } from './exposed-services.js';

/**
 * The injection tokens of the orchestrator and its exposed services in a tsyringe container.
 * Write `@inject(AiImplementTokens.reconcile)` explicitly: tsx and esbuild emit no decorator
 * metadata, so tsyringe cannot infer a parameter's token from its type.
 */
export const AiImplementTokens = {
  orchestrator: Symbol.for('ai-implement:orchestrator'),
  ...(Object.fromEntries([...EXPOSED_SERVICES, 'httpApp'].map((key) => [key, Symbol.for(`ai-implement:${key}`)])) as Record<
    ExposedService,
    symbol
  >),
};

/**
 * Registers a built orchestrator into a host's tsyringe container: the orchestrator as an
 * instance, each exposed service as a cached factory over the orchestrator's own container.
 * The host disposes the orchestrator itself (`orchestrator.dispose()`): tsyringe has no disposers.
 */
export function registerOrchestratorWithTsyringe(container: DependencyContainer, orchestrator: Core | Orchestrator): void {
  container.registerInstance(AiImplementTokens.orchestrator, orchestrator);
  for (const [key, get] of exposedServices(orchestrator)) {
    container.register(AiImplementTokens[key], { useFactory: instanceCachingFactory(get) });
  }
}
