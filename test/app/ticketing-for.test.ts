import { describe, expect, it } from 'vitest';
import { createTicketingRegistry, ticketingFor } from '../../core/app/issues/ticketing-registry.js';
import type { Storage } from '../../ports/storage.port.js';
import type { Ticketing } from '../../ports/ticketing.port.js';
import { mapping } from '../core/fixtures.js';

const linear = { kind: 'linear' } as unknown as Ticketing;
const local = { kind: 'local' } as unknown as Ticketing;
const mappings = new Map([
  ['ENG', mapping({ teamKey: 'ENG', ticketing: 'linear' })],
  ['OPS', mapping({ teamKey: 'OPS', ticketing: 'jira' })],
]);
const storage = { mappings: { get: async (teamKey: string) => mappings.get(teamKey) } } as unknown as Pick<Storage, 'mappings'>;
const registry = createTicketingRegistry({ linear, local });

describe('ticketingFor: the ticket of a job, pull or team', () => {
  it('answers the mapping and the adapter of its tracker', async () => {
    const found = await ticketingFor(storage, registry, { teamKey: 'ENG' });
    expect(found?.ticketing).toBe(linear);
    expect(found?.mapping.teamKey).toBe('ENG');
  });

  it('answers nothing when the mapping is gone or its tracker is not connected', async () => {
    expect(await ticketingFor(storage, registry, { teamKey: 'GONE' })).toBeUndefined();
    expect(await ticketingFor(storage, registry, { teamKey: 'OPS' })).toBeUndefined();
  });
});
