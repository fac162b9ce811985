import 'reflect-metadata';
import { asFunction, createContainer, InjectionMode } from 'awilix';
import { container as rootContainer } from 'tsyringe';
import { afterEach, describe, expect, it } from 'vitest';
import type { ReconcileService } from '../../../core/app/dispatch/reconcile.service.js';
import type { MappingsService } from '../../../core/app/operations/mappings.service.js';
import { loadConfig } from '../../../hosts/config.js';
import { createOrchestrator, type Orchestrator } from '../../../hosts/container.js';
import { registerOrchestratorWithAwilix } from '../../../hosts/di/awilix.js';
import { AiImplementTokens, registerOrchestratorWithTsyringe } from '../../../hosts/di/tsyringe.js';

let orchestrator: Orchestrator | undefined;
afterEach(async () => {
  await orchestrator?.dispose();
  orchestrator = undefined;
});

const build = async () => {
  orchestrator = await createOrchestrator(loadConfig({ STORAGE_URL: 'memory:', RUNNER_MODE: 'shadow' })._unsafeUnwrap());
  return orchestrator;
};

const mapping = { teamKey: 'EMB', ticketing: 'local', owner: 'acme', repo: 'app', defaultBranch: 'main' };

describe('embedding the orchestrator in a host DI container', () => {
  it("awilix: a host service names the orchestrator's services in its deps; disposing the host disposes it", async () => {
    const o = await build();
    const host = createContainer({ injectionMode: InjectionMode.PROXY, strict: true });
    registerOrchestratorWithAwilix(host, o);
    host.register(
      'teamAdmin',
      asFunction(({ aiImplementMappings }: { aiImplementMappings: MappingsService }) => ({
        add: (teamKey: string) => aiImplementMappings.save({ ...mapping, teamKey }),
      })).singleton(),
    );
    const saved = await host.resolve<{ add(k: string): Promise<{ isOk(): boolean }> }>('teamAdmin').add('EMB');
    expect(saved.isOk()).toBe(true);
    expect((await o.cradle.mappings.list()).map((m) => m.teamKey)).toEqual(['EMB']);
    expect(host.resolve('aiImplementReconcile')).toBe(o.cradle.reconcile);
    expect(host.resolve('aiImplement')).toBe(o);
    await host.dispose();
    await expect(o.cradle.storage.mappings.list()).rejects.toThrow();
    orchestrator = undefined;
  });

  it('tsyringe: the orchestrator and its services resolve by token, one instance each', async () => {
    const o = await build();
    const child = rootContainer.createChildContainer();
    registerOrchestratorWithTsyringe(child, o);
    expect(child.resolve(AiImplementTokens.orchestrator)).toBe(o);
    const reconcile = child.resolve<ReconcileService>(AiImplementTokens.reconcile);
    expect(reconcile).toBe(o.cradle.reconcile);
    expect(child.resolve(AiImplementTokens.reconcile)).toBe(reconcile);
    const mappings = child.resolve<MappingsService>(AiImplementTokens.mappings);
    expect((await mappings.save(mapping)).isOk()).toBe(true);
    expect((await reconcile.request()).teamKeys).toEqual(['EMB']);
  });
});
