/**
 * bench/poll/jira-shared — the Jira adapter alone against the wire-level fake: M mappings that
 * share one JQL (`project = ENG`), told apart by their Repo value, N triggered issues each. One
 * cycle of `listCandidatesOf` for all of them (one search a page, split by Repo here) against
 * one `listCandidates` per mapping (what every mapping cost before), counting the requests the
 * fake received (the one-off `GET /rest/api/3/field` is counted apart), then × 120 for an hour
 * at a 30 s poll.
 *
 *   npx tsx bench/poll/jira-shared.bench.ts
 */
import { createJiraTicketing } from '../../adapters/ticketing/jira/jira.adapter.js';
import { MAPPING_DEFAULTS } from '../../core/domain/mappings.js';
import type { Mapping } from '../../core/domain/model.js';
import { startFakeJira } from '../../testing/fakes/jira/jira-fake.js';

const CYCLES_AN_HOUR = 120;
const SEARCH = '/rest/api/3/search/jql';

async function cycle(mappingCount: number, issuesPerMapping: number) {
  const repos = Array.from({ length: mappingCount }, (_, n) => `r${String(n).padStart(2, '0')}`);
  const fake = await startFakeJira({ projects: ['ENG'], repoOptions: repos });
  for (const repo of repos) {
    for (let n = 0; n < issuesPerMapping; n++) fake.store.createIssue({ summary: `${repo} ${n}`, status: 'Ready', repo });
  }
  const mappings: Mapping[] = repos.map((repo) => ({
    ...MAPPING_DEFAULTS,
    extraEnv: {},
    ticketing: 'jira',
    teamKey: repo.toUpperCase(),
    jql: 'project = ENG',
    repoFieldValue: repo,
    owner: 'acme',
    repo,
    createdAt: 0,
    updatedAt: 0,
  }));
  const jira = createJiraTicketing({ host: fake.url, email: fake.email, apiToken: fake.apiToken, retry: { maxAttempts: 1 } });
  (await jira.listCandidatesOf!(mappings))._unsafeUnwrap(); // learns the Repo field's id once
  const fieldLookups = fake.requests.filter((r) => r.path === '/rest/api/3/field').length;
  fake.resetRequests();
  let started = performance.now();
  const shared = (await jira.listCandidatesOf!(mappings))._unsafeUnwrap();
  const sharedMs = performance.now() - started;
  const sharedRequests = fake.requests.filter((r) => r.path === SEARCH).length;
  fake.resetRequests();
  started = performance.now();
  for (const m of mappings) (await jira.listCandidates(m))._unsafeUnwrap();
  const aloneMs = performance.now() - started;
  const aloneRequests = fake.requests.filter((r) => r.path === SEARCH).length;
  const listed = [...shared.values()].reduce((n, issues) => n + issues.length, 0);
  await fake.close();
  return { mappingCount, issuesPerMapping, fieldLookups, sharedRequests, sharedMs, aloneRequests, aloneMs, listed };
}

console.log('Jira, M mappings sharing one JQL told apart by Repo; requests of one steady cycle (× 120 = an hour at a 30 s poll)');
console.log(
  'mappings x issues | shared search: requests (an hour), ms | one search per mapping: requests (an hour), ms | field look-ups (once) | issues listed',
);
for (const [mappings, issues] of [
  [3, 5],
  [20, 5],
  [20, 50],
  [20, 100],
] as const) {
  const r = await cycle(mappings, issues);
  console.log(
    `${r.mappingCount} x ${r.issuesPerMapping} | ${r.sharedRequests} (${r.sharedRequests * CYCLES_AN_HOUR}), ${Math.round(r.sharedMs)} | ${r.aloneRequests} (${r.aloneRequests * CYCLES_AN_HOUR}), ${Math.round(r.aloneMs)} | ${r.fieldLookups} | ${r.listed}`,
  );
}
