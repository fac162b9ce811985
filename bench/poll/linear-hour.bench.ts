/**
 * bench/poll/linear-hour — the Linear adapter alone against the wire-level fake: M teams of N
 * triggered issues, one full read, then an hour of steady cycles at a 30 s poll (120 calls of
 * `listCandidatesOf` for every mapping together), counting the requests the fake received, the
 * removal sweep included. One issue is deleted in Linear before the hour: the cycle it leaves
 * the candidates is printed. No orchestrator (bench/poll.bench.ts runs the whole cycle; this
 * isolates the request count, and runs in seconds on a loaded machine).
 *
 *   npx tsx bench/poll/linear-hour.bench.ts
 */
import { createLinearTicketing } from '../../adapters/ticketing/linear/linear.adapter.js';
import { MAPPING_DEFAULTS } from '../../core/domain/mappings.js';
import type { Mapping } from '../../core/domain/model.js';
import { startFakeLinear } from '../../testing/fakes/linear/fake-linear.server.js';

const CYCLES_AN_HOUR = 120;
const BUDGET = 2500;

async function hour(teams: number, issuesPerTeam: number) {
  const fake = await startFakeLinear({ apiKey: 'lin_bench' });
  const keys = Array.from({ length: teams }, (_, n) => `T${String(n).padStart(2, '0')}`);
  for (const teamKey of keys) {
    for (let n = 0; n < issuesPerTeam; n++) fake.store.addIssue({ teamKey, title: `issue ${n}`, labels: ['AI-Implement'] });
  }
  const mappings: Mapping[] = keys.map((teamKey) => ({
    ...MAPPING_DEFAULTS,
    extraEnv: {},
    teamKey,
    owner: 'acme',
    repo: 'app',
    createdAt: 0,
    updatedAt: 0,
  }));
  const linear = createLinearTicketing({ apiKey: fake.apiKey, apiUrl: fake.url, retry: { maxAttempts: 1 } });
  const started = performance.now();
  (await linear.listCandidatesOf!(mappings))._unsafeUnwrap();
  const fullRead = fake.requests.length;
  const fullReadMs = performance.now() - started;
  const deleted = fake.store.issues[Math.floor(fake.store.issues.length / 2)]!;
  fake.store.issues.splice(fake.store.issues.indexOf(deleted), 1);
  let removalAfter = -1;
  const before = fake.requests.length;
  const hourStarted = performance.now();
  for (let n = 1; n <= CYCLES_AN_HOUR; n++) {
    const listed = (await linear.listCandidatesOf!(mappings))._unsafeUnwrap();
    const still = [...listed.values()].some((issues) => issues.some((i) => i.id === deleted.id));
    if (!still && removalAfter < 0) removalAfter = n;
  }
  const requests = fake.requests.length - before;
  const cycleMs = (performance.now() - hourStarted) / CYCLES_AN_HOUR;
  await fake.close();
  return { teams, issuesPerTeam, fullRead, fullReadMs, requests, removalAfter, cycleMs };
}

console.log('Linear, every mapping in one request a cycle; 120 cycles = an hour at a 30 s poll; budget 2,500 requests an hour');
console.log(
  'mappings x issues | full read: requests, ms | the hour: requests, share of the budget | a deleted issue left after | ms a cycle',
);
for (const [teams, issues] of [
  [20, 100],
  [20, 500],
  [10, 500],
] as const) {
  const r = await hour(teams, issues);
  const share = ((r.requests / BUDGET) * 100).toFixed(1);
  console.log(
    `${r.teams} x ${r.issuesPerTeam} | ${r.fullRead}, ${Math.round(r.fullReadMs)} | ${r.requests} req/h = ${share} % | ${r.removalAfter < 0 ? 'not within the hour' : `${r.removalAfter} cycles (${r.removalAfter / 2} min)`} | ${Math.round(r.cycleMs)}`,
  );
}
