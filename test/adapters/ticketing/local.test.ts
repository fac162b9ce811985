import { createUnstorageStorage } from '../../../adapters/storage/unstorage/unstorage.adapter.js';
import { createCryptoIds } from '../../../adapters/system/crypto-ids.adapter.js';
import { createManualClock } from '../../../adapters/system/system-clock.adapter.js';
import { createLocalTicketing } from '../../../adapters/ticketing/local/local.adapter.js';
import { createLocalTrackerStore } from '../../../adapters/ticketing/local/local-tracker.store.js';
import { linearLabelsForStage, TRIGGER_LABEL } from '../../../core/domain/lifecycle.js';
import { validateMappingInput } from '../../../core/domain/mappings.js';
import { ticketingContract } from '../../../testing/contracts/ticketing.contract.js';

ticketingContract(
  'local',
  async () => {
    const storage = await createUnstorageStorage({ driver: 'memory' });
    const clock = createManualClock(Date.UTC(2025, 0, 1));
    const store = createLocalTrackerStore({ storage, clock, ids: createCryptoIds() });
    const mapping = validateMappingInput(
      { teamKey: 'LOC', ticketing: 'local', owner: 'acme', repo: 'app', defaultBranch: 'main' },
      undefined,
      0,
    )._unsafeUnwrap();
    return {
      ticketing: createLocalTicketing({ store, publicUrl: 'http://127.0.0.1:4000' }),
      mapping,
      async seed(issues) {
        const ids: string[] = [];
        for (const seed of issues) {
          const blockers: string[] = [];
          for (const blocker of seed.blockedBy ?? []) {
            const created = await store.create({
              teamKey: 'LOC',
              title: blocker.title,
              stateType: blocker.open ? 'started' : 'completed',
            });
            if ('missing' in created) throw new Error('unexpected');
            blockers.push(created.id);
          }
          const labels = seed.triggered ? linearLabelsForStage([TRIGGER_LABEL], seed.stage ?? 'triggered') : [];
          const created = await store.create({
            teamKey: 'LOC',
            title: seed.title,
            priority: seed.priority ?? 0,
            labels,
            blockedBy: blockers,
            ...(seed.createdAt !== undefined ? { createdAt: seed.createdAt } : {}),
          });
          if ('missing' in created) throw new Error('unexpected');
          ids.push(created.id);
        }
        return ids;
      },
      async inspect(id) {
        const issue = await store.find(id);
        if (!issue) throw new Error(`no issue ${id}`);
        return { labels: issue.labels, comments: issue.comments.map((c) => c.body) };
      },
      requestCount: () => 0,
      close: () => storage.close(),
    };
    // An embedded store has no network to fail: the contract's fault cases do not apply.
  },
  { faults: false },
);
