import { afterEach, describe, expect, it } from 'vitest';
import { createLinearTicketing } from '../../../adapters/ticketing/linear/linear.adapter.js';
import { MAPPING_DEFAULTS } from '../../../core/domain/mappings.js';
import type { Mapping } from '../../../core/domain/model.js';
import { type FakeLinear, startFakeLinear } from '../../../testing/fakes/linear/fake-linear.server.js';

/** listCandidatesOf: all Linear mappings in one query, incremental between full reads (the real SDK, the fake Linear). */
const TEAMS = ['ENG', 'OPS', 'WEB'];
const mappingOf = (teamKey: string): Mapping => ({
  ...MAPPING_DEFAULTS,
  extraEnv: {},
  teamKey,
  owner: 'acme',
  repo: 'app',
  createdAt: 0,
  updatedAt: 0,
});
const mappings = TEAMS.map(mappingOf);

let fake: FakeLinear | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function start() {
  fake = await startFakeLinear();
  for (const key of TEAMS) {
    fake.store.addTeam(key);
    for (let n = 0; n < 3; n++) fake.store.addIssue({ teamKey: key, title: `${key} ${n}`, labels: ['AI-Implement'] });
    fake.store.addIssue({ teamKey: key, title: `${key} untriggered` });
  }
  const clock = { t: 0 };
  const ticketing = createLinearTicketing({
    apiKey: fake.apiKey,
    apiUrl: fake.url,
    retry: { maxAttempts: 1 },
    now: () => clock.t,
    fullReadEveryMs: 60_000,
  });
  return { fake, clock, ticketing };
}

const titles = (byTeam: Map<string, { title: string }[]>, key: string) =>
  byTeam
    .get(key)!
    .map((i) => i.title)
    .sort();

describe('Linear candidates of every mapping together', () => {
  it('one request per cycle for all mappings; changes show in the next incremental read', async () => {
    const { fake, clock, ticketing } = await start();
    const first = (await ticketing.listCandidatesOf!(mappings))._unsafeUnwrap();
    expect(fake.requests).toHaveLength(1);
    expect(titles(first, 'OPS')).toEqual(['OPS 0', 'OPS 1', 'OPS 2']);

    // A steady cycle with nothing changed: one request, and the same answer.
    clock.t += 1_000;
    const steady = (await ticketing.listCandidatesOf!(mappings))._unsafeUnwrap();
    expect(fake.requests).toHaveLength(2);
    expect(fake.requests[1]!.variables.filter).toMatchObject({ updatedAt: { gt: expect.any(String) } });
    expect(titles(steady, 'ENG')).toEqual(['ENG 0', 'ENG 1', 'ENG 2']);

    // A human removes the trigger from one issue and adds it to another: both show at once.
    const removed = fake.store.issue('OPS-1')!;
    removed.labelIds = [];
    removed.updatedAt = fake.store.tick();
    const added = fake.store.issues.find((i) => i.title === 'WEB untriggered')!;
    added.labelIds = [fake.store.ensureTeamLabel(added.teamId, 'AI-Implement').id];
    added.updatedAt = fake.store.tick();
    clock.t += 1_000;
    const changed = (await ticketing.listCandidatesOf!(mappings))._unsafeUnwrap();
    expect(fake.requests).toHaveLength(3);
    expect(titles(changed, 'OPS')).toEqual(['OPS 0', 'OPS 1', 'OPS 2'].filter((t) => t !== removed.title));
    expect(titles(changed, 'OPS')).toHaveLength(2);
    expect(titles(changed, 'WEB')).toContain('WEB untriggered');
  });

  it('an issue deleted in Linear leaves at the next full read', async () => {
    const { fake, clock, ticketing } = await start();
    await ticketing.listCandidatesOf!(mappings);
    const gone = fake.store.issue('ENG-1')!;
    fake.store.issues.splice(fake.store.issues.indexOf(gone), 1);
    clock.t += 1_000;
    expect(titles((await ticketing.listCandidatesOf!(mappings))._unsafeUnwrap(), 'ENG')).toContain(gone.title);
    clock.t += 60_000;
    const full = (await ticketing.listCandidatesOf!(mappings))._unsafeUnwrap();
    expect(fake.requests.at(-1)!.variables.filter).not.toHaveProperty('updatedAt');
    expect(titles(full, 'ENG')).not.toContain(gone.title);
  });

  it('a mapping added since the last read makes the next read a full one for all', async () => {
    const { fake, clock, ticketing } = await start();
    await ticketing.listCandidatesOf!(mappings.slice(0, 2));
    clock.t += 1_000;
    const all = (await ticketing.listCandidatesOf!(mappings))._unsafeUnwrap();
    expect(fake.requests.at(-1)!.variables.filter).not.toHaveProperty('updatedAt');
    expect(titles(all, 'WEB')).toEqual(['WEB 0', 'WEB 1', 'WEB 2']);
  });
});
