import { afterEach, describe, expect, it } from 'vitest';
import { createLinearTicketing } from '../../../adapters/ticketing/linear/linear.adapter.js';
import { MAPPING_DEFAULTS } from '../../../core/domain/mappings.js';
import type { Mapping } from '../../../core/domain/model.js';
import { type FakeLinear, startFakeLinear } from '../../../testing/fakes/linear/fake-linear.server.js';

/** listCandidatesOf: all Linear mappings in one query, incremental after a full read, removals by the sweep (the real SDK, the fake Linear). */
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

  it('an issue deleted in Linear leaves when the sweep has walked the labelled set, at one request a cycle', async () => {
    const { fake } = await start();
    // 12 labelled issues (11 once one is deleted), 4 a sweep page: the sweep takes 3 cycles.
    for (let n = 3; n < 6; n++) fake.store.addIssue({ teamKey: 'ENG', title: `ENG ${n}`, labels: ['AI-Implement'] });
    const sweep = createLinearTicketing({ apiKey: fake.apiKey, apiUrl: fake.url, retry: { maxAttempts: 1 }, sweepPageSize: 4 });
    await sweep.listCandidatesOf!(mappings);
    const gone = fake.store.issue('ENG-1')!;
    fake.store.issues.splice(fake.store.issues.indexOf(gone), 1);
    const before = fake.requests.length;
    const cycles: string[][] = [];
    for (let n = 0; n < 4; n++) cycles.push(titles((await sweep.listCandidatesOf!(mappings))._unsafeUnwrap(), 'ENG'));
    expect(fake.requests.length - before).toBe(4);
    expect(fake.requests.slice(before).every((r) => r.variables.filter && 'sweepFilter' in r.variables)).toBe(true);
    expect(cycles[0]).toContain(gone.title);
    expect(cycles[3]).not.toContain(gone.title);
    expect(cycles[3]).toEqual(['ENG 0', 'ENG 1', 'ENG 2', 'ENG 3', 'ENG 4', 'ENG 5'].filter((t) => t !== gone.title));
  });

  it('an issue the sweep shows that no read did (labelled without an update) is fetched by the next request', async () => {
    const { fake, ticketing } = await start();
    await ticketing.listCandidatesOf!(mappings);
    // Labelled with an old updatedAt: the incremental read cannot see it; the sweep can.
    const hidden = fake.store.issues.find((i) => i.title === 'OPS untriggered')!;
    hidden.labelIds = [fake.store.ensureTeamLabel(hidden.teamId, 'AI-Implement').id];
    hidden.updatedAt = 0;
    const first = (await ticketing.listCandidatesOf!(mappings))._unsafeUnwrap();
    expect(titles(first, 'OPS')).not.toContain('OPS untriggered');
    const second = (await ticketing.listCandidatesOf!(mappings))._unsafeUnwrap();
    expect(fake.requests.at(-1)!.variables.filter).toMatchObject({ or: [{ updatedAt: {} }, { id: { in: [hidden.id] } }] });
    expect(titles(second, 'OPS')).toContain('OPS untriggered');
  });

  it('a sweep cursor Linear refuses (its issue is gone) starts the sweep again, in the same cycle', async () => {
    const { fake } = await start();
    const sweep = createLinearTicketing({ apiKey: fake.apiKey, apiUrl: fake.url, retry: { maxAttempts: 1 }, sweepPageSize: 4 });
    await sweep.listCandidatesOf!(mappings);
    await sweep.listCandidatesOf!(mappings); // the first sweep page: ENG 0..2, OPS 0
    const cursor = fake.store.issue('OPS-1')!; // the 4th labelled issue: the sweep's cursor
    fake.store.issues.splice(fake.store.issues.indexOf(cursor), 1);
    const next = await sweep.listCandidatesOf!(mappings);
    expect(next.isOk()).toBe(true);
    expect(fake.requests.at(-1)!.variables.sweepAfter).toBeNull();
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
