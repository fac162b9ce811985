import { ok, ResultAsync } from 'neverthrow';
import { describe, expect, it } from 'vitest';
import { createStorage } from '../../adapters/storage/create-storage.js';
import { createGitContextService } from '../../core/app/operations/git-context.service.js';
import { createTemplatesService } from '../../core/app/operations/templates.service.js';
import type { Forge } from '../../ports/forge.port.js';
import type { WorkflowTemplates } from '../../ports/workflow-templates.port.js';
import { mapping, T0 } from '../core/fixtures.js';

/** A forge call that never answers (a hung GitHub): the operator's read answers at its deadline anyway. */
const hung = () => new ResultAsync<never, never>(new Promise(() => {}));
const forge = {
  listOpenPullRequests: hung,
  checkoutSource: () => ({ apiUrl: 'https://api.github.com' }),
} as unknown as Forge;

async function storageWithMapping() {
  const storage = await createStorage({ dataDir: '.', storageUrl: 'memory:', now: () => T0 });
  await storage.mappings.put(mapping());
  return storage;
}

const timed = async <T>(work: () => Promise<T>) => {
  const started = performance.now();
  const value = await work();
  return { value, ms: performance.now() - started };
};

describe('operator reads on a hung forge', () => {
  it('GET /api/v1/git/context falls back to the records at its deadline, saying why', async () => {
    const service = createGitContextService({
      storage: await storageWithMapping(),
      forgeRegistry: { get: () => forge, kinds: () => ['github'] },
      config: { githubApiUrl: 'https://api.github.com' },
      deadlineMs: 150,
    });
    const { value, ms } = await timed(() => service.context());
    expect(ms).toBeLessThan(1_000);
    expect(value.repositories[0]).toMatchObject({
      pullRequestsFrom: 'records',
      forgeError: 'no answer within 150 ms',
    });
  });

  it('GET /api/admin/template-status says `unknown` for a repository its forge did not answer for in time', async () => {
    const workflowTemplates = {
      version: '1',
      render: () => ok([{ path: '.github/workflows/x.yml', content: '' }]),
      sync: hung,
      read: hung,
    } as unknown as WorkflowTemplates;
    const service = createTemplatesService({
      storage: await storageWithMapping(),
      config: { publicUrl: 'http://localhost:4000' },
      forgeFor: () => forge,
      workflowTemplates,
      audit: { record: async () => undefined },
      deadlineMs: 150,
    });
    const { value, ms } = await timed(() => service.status());
    expect(ms).toBeLessThan(1_000);
    expect(value).toMatchObject({
      unknown: 1,
      repositories: [{ teamKey: 'ENG', status: 'unknown', files: [], error: 'no answer within 150 ms' }],
    });
  });
});
