import { AwilixResolutionError, asFunction, asValue, Lifetime } from 'awilix';
import { describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../hosts/config.js';
import { createOrchestrator } from '../../hosts/container.js';
import type { Storage } from '../../ports/storage.port.js';

const memoryConfig = () => loadConfig({ STORAGE_URL: 'memory:' })._unsafeUnwrap();

describe('createOrchestrator', () => {
  it('builds one strict PROXY container with every registration resolvable', async () => {
    const o = await createOrchestrator(memoryConfig());
    expect(o.container.options).toMatchObject({ injectionMode: 'PROXY', strict: true });
    const names = Object.keys(o.container.registrations);
    expect(names).toEqual(
      expect.arrayContaining(['adminAuth', 'clock', 'config', 'eventBus', 'ids', 'logger', 'mappings', 'storage', 'reconcile']),
    );
    for (const name of names) expect(() => o.container.resolve(name), name).not.toThrow();
    expect(names).not.toContain('httpApp');
    expect(typeof o.app.fetch).toBe('function');
    expect(typeof o.cradle.clock.now()).toBe('number');
    expect(o.cradle.ids.newId()).not.toBe(o.cradle.ids.newId());
    expect((await o.request('/healthz')).status).toBe(200);
    await o.dispose();
  });

  it('refuses to resolve what was never registered', async () => {
    const o = await createOrchestrator(memoryConfig());
    expect(() => o.container.resolve('nothing')).toThrow(AwilixResolutionError);
    await o.dispose();
  });

  it('fails at boot, and releases storage, when a singleton depends on a shorter-lived registration', async () => {
    const close = vi.fn(async () => {});
    const storage = { close } as unknown as Storage;
    const build = createOrchestrator(memoryConfig(), {
      storage: asFunction(() => storage)
        .singleton()
        .disposer((s) => s.close()),
      // A per-resolution clock under singleton services is a lifetime leak that strict mode rejects.
      clock: asFunction(() => ({ now: () => 1 }), { lifetime: Lifetime.TRANSIENT }),
    });
    await expect(build).rejects.toThrow(/shorter lifetime/);
    expect(close).toHaveBeenCalled();
  });

  it('lets an embedder bring their own storage, which it does not close', async () => {
    const real = await createOrchestrator(memoryConfig());
    const storage = real.cradle.storage;
    const close = vi.spyOn(storage, 'close');
    const o = await createOrchestrator(loadConfig({ ADMIN_ACCESS_CODE: 'x'.repeat(12) })._unsafeUnwrap(), {
      storage: asValue(storage),
    });
    // Used as it is, behind the availability watch every store gets.
    expect(o.cradle.storageAvailability.description).toBe('the storage passed in');
    await o.cradle.mappings.save({ teamKey: 'ENG', owner: 'a', repo: 'b', defaultBranch: 'main' });
    expect(await storage.mappings.get('ENG')).toBeDefined();
    await o.dispose();
    expect(close).not.toHaveBeenCalled();
    await real.dispose();
    expect(close).toHaveBeenCalledTimes(1);
  });

  it('closes the storage it opened when disposed, once', async () => {
    const o = await createOrchestrator(memoryConfig());
    const close = vi.spyOn(o.cradle.storage, 'close');
    await Promise.all([o.dispose(), o.dispose()]);
    expect(close).toHaveBeenCalledTimes(1);
  });

  it('disposed at once after the start, closes the store only after the admin access-code check it began (nothing fails after dispose)', async () => {
    const logged: string[] = [];
    const record = (message: string) => {
      logged.push(message);
    };
    const logger = asValue({ info: record, warn: record, error: record });
    const config = loadConfig({ STORAGE_URL: 'memory:', ADMIN_ACCESS_CODE: 'an access code, long enough' })._unsafeUnwrap();
    const o = await createOrchestrator(config, { logger });
    // The check's write of the code's hash comes late (a slow store): after the dispose began.
    const { settings } = o.cradle.storage;
    const set = settings.set.bind(settings);
    const writes: string[] = [];
    vi.spyOn(settings, 'set').mockImplementation(async (key, value) => {
      await new Promise((resolve) => setTimeout(resolve, 200));
      writes.push(key);
      return set(key, value);
    });
    const close = vi.spyOn(o.cradle.storage, 'close');
    await o.dispose();
    expect(close).toHaveBeenCalledTimes(1);
    expect(writes).toContain('adminAccessCodeCheck');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(logged.filter((m) => /failed/.test(m))).toEqual([]);
  });

  it('reports a storage URL it cannot open without echoing the URL', async () => {
    const config = loadConfig({ STORAGE_URL: 'mongodb://user:secretpw@db' })._unsafeUnwrap();
    const build = createOrchestrator(config);
    await expect(build).rejects.toThrow(/STORAGE_URL/);
    await expect(build).rejects.not.toThrow(/secretpw/);
  });

  it('replaces a service through overrides', async () => {
    const o = await createOrchestrator(memoryConfig(), {
      mappings: asValue({
        list: async () => [],
        get: async () => undefined,
        save: async () => {
          throw new Error('not used');
        },
        patch: async () => {
          throw new Error('not used');
        },
        remove: async () => true,
      }),
    });
    expect(await o.cradle.mappings.remove('ANY')).toBe(true);
    await o.dispose();
  });
});
