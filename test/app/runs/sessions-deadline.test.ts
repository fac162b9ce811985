import { okAsync } from 'neverthrow';
import { describe, expect, it } from 'vitest';
import { createStorage } from '../../../adapters/storage/create-storage.js';
import { createTicketingRegistry } from '../../../core/app/issues/ticketing-registry.js';
import { createSessionsService } from '../../../core/app/runs/sessions.service.js';
import type { Runner } from '../../../ports/runner.port.js';
import type { Ticketing } from '../../../ports/ticketing.port.js';
import { dedupEntry, job, mapping, T0 } from '../../core/fixtures.js';

const never = () => new Promise<never>(() => {});

/**
 * A destroy reaches the tracker after Fly (the job's end is told, the issue moves back to
 * Triggered): a hung tracker must not hold the operator past the destroy's deadline.
 */
describe('DELETE /api/sessions/:machineId’s use case on a hung tracker', () => {
  it('answers within its deadline with the machine destroyed, the dedup entry cleared and issueReset false', async () => {
    const storage = await createStorage({ dataDir: '.', storageUrl: 'memory:', now: () => T0 });
    await storage.mappings.put(mapping({ executionMode: 'fly-machines' }));
    await storage.jobs.put(job({ id: 'job-1', issueId: 'issue-1', runner: 'fly-machines', machineId: 'm-1', runId: 'm-1' }));
    await storage.dedup.put(dedupEntry({ issueId: 'issue-1' }));
    const destroyed: string[] = [];
    const runner = {
      kind: 'fly-machines',
      listSessions: () => okAsync([{ id: 'm-1', name: 'ai-eng-1', state: 'started', startedAt: T0, jobId: 'job-1' }]),
      destroy: (id: string) => {
        destroyed.push(id);
        return okAsync(undefined);
      },
    } as unknown as Runner;
    const hung = { getIssue: never, moveToStage: never, comment: never } as unknown as Ticketing;
    const logged: string[] = [];
    const logger = { info() {}, warn: (m: string) => logged.push(m), error() {}, child: () => logger };
    const sessions = createSessionsService({
      storage,
      clock: { now: () => T0 },
      logger: logger as never,
      ticketingRegistry: createTicketingRegistry({ linear: hung }),
      jobOutcome: { record: never },
      flyRunner: async () => runner,
      audit: { record: async () => undefined },
      deadlineMs: 200,
    });

    const started = performance.now();
    const answer = (await sessions.destroy('m-1'))._unsafeUnwrap();
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(destroyed).toEqual(['m-1']);
    expect(answer).toEqual({
      destroyed: true,
      machineId: 'm-1',
      jobId: 'job-1',
      issueIdentifier: 'ENG-1',
      issueReset: false,
      dedupCleared: true,
    });
    expect(logged).toContain('sessions: the tracker did not answer in time; the issue is reset in the background');
  });
});
