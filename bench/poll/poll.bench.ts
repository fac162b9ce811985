/**
 * bench/poll — reconcile cycles against the wire-level fakes of Linear and Jira.
 *
 * For each tracker it builds an orchestrator (memory storage, shadow runner) with M mappings
 * of N triggered issues each, runs a first cycle (which dispatches up to each cap) and then a
 * steady-state cycle (everything at its cap: listing only), then a quiet cycle (nothing changed
 * since the last), and prints requests per cycle and cycle time, and for Linear the share of an
 * API key's 2,500 requests an hour that polling every 30 s spends — counted over 120 cycles, the
 * removal sweep included — and how many cycles a deleted issue took to leave. The target: requests grow with mappings and pages, never with issues — so the
 * ratio column for 5x the issues should be about the page ratio, not 5.
 *
 *   npx tsx bench/poll/poll.bench.ts            # 20 mappings x 500 issues, plus baselines
 *   POLL_TRACKERS=linear npx tsx bench/poll/poll.bench.ts
 */
import { asValue } from 'awilix';
import { loadConfig } from '../../hosts/config.js';
import { createOrchestrator } from '../../hosts/container.js';
import type { Logger } from '../../ports/logger.port.js';
import { startFakeJira } from '../../testing/fakes/jira/jira-fake.js';
import { startFakeLinear } from '../../testing/fakes/linear/fake-linear.server.js';

const silent: Logger = { info() {}, warn() {}, error() {} };

interface Row {
  tracker: string;
  mappings: number;
  issuesPerMapping: number;
  /** Every cycle until the first full read was planned: requests and ms in all, and how many cycles. */
  firstCycle: { requests: number; ms: number; cycles: number };
  steadyCycle: { requests: number; ms: number };
  quietCycle: { requests: number; ms: number };
  /** Listing requests of a full read (Linear: the first cycle's candidate pages). */
  fullReadRequests: number;
  /** Requests of the 120 cycles after the first (an hour at a 30 s poll), counted, not estimated. */
  hourRequests: number;
  /** Cycles until a removal (an issue deleted right after the steady cycle) left the candidates; -1 never. */
  removalSeenAfterCycles: number;
}

const CYCLES_AN_HOUR = 120;

async function measure(tracker: 'linear' | 'jira', mappings: number, issuesPerMapping: number): Promise<Row> {
  const teamKeys = Array.from({ length: mappings }, (_, n) => `T${String(n).padStart(2, '0')}`);
  const linear = tracker === 'linear' ? await startFakeLinear({ apiKey: 'lin_bench' }) : undefined;
  const jira = tracker === 'jira' ? await startFakeJira({ projects: teamKeys, repoOptions: ['app'] }) : undefined;
  for (const teamKey of teamKeys) {
    for (let n = 0; n < issuesPerMapping; n++) {
      const priority = (n % 4) + 1;
      if (linear) linear.store.addIssue({ teamKey, title: `issue ${n}`, priority, labels: ['AI-Implement'] });
      if (jira) jira.store.createIssue({ project: teamKey, summary: `issue ${n}`, status: 'Ready', repo: 'app' });
    }
  }
  const env: Record<string, string> = { STORAGE_URL: 'memory:', RUNNER_MODE: 'shadow' };
  if (linear) Object.assign(env, { LINEAR_API_KEY: linear.apiKey, LINEAR_API_URL: linear.url });
  if (jira) Object.assign(env, { JIRA_HOST: jira.url, JIRA_EMAIL: jira.email, JIRA_API_TOKEN: jira.apiToken });
  const orchestrator = await createOrchestrator(loadConfig(env)._unsafeUnwrap(), { logger: asValue(silent) });
  for (const teamKey of teamKeys) {
    const body: Record<string, unknown> = { teamKey, ticketing: tracker, owner: 'acme', repo: 'app', defaultBranch: 'main' };
    if (tracker === 'jira') Object.assign(body, { jql: `project = ${teamKey}`, repoFieldValue: 'app' });
    const saved = await orchestrator.cradle.mappings.save(body);
    if (saved.isErr()) throw new Error(JSON.stringify(saved.error));
  }
  const requests = () => linear?.requests.length ?? jira?.requests.length ?? 0;
  let sinceLastOk = { requests: requests(), at: performance.now() };
  const cycle = async () => {
    const report = await orchestrator.cradle.reconcile.request();
    if (Object.keys(report.errors).length > 0) throw new Error(JSON.stringify(report.errors));
    const done = { requests: requests() - sinceLastOk.requests, ms: Math.round(performance.now() - sinceLastOk.at), report };
    sinceLastOk = { requests: requests(), at: performance.now() };
    return done;
  };
  const listings = () => linear?.requestsNamed('AiImplementTeamsCandidates').length ?? 0;
  // A full read longer than the fetch deadline finishes in the background and is taken by a
  // later cycle (reconcile.service.ts): the first "cycle" here is every cycle until it has.
  const firstCycle = { requests: 0, ms: 0, cycles: 0 };
  for (;;) {
    firstCycle.cycles += 1;
    try {
      const one = await cycle();
      firstCycle.requests += one.requests;
      firstCycle.ms += one.ms;
      break;
    } catch (error) {
      if (firstCycle.cycles >= 30) throw error;
    }
  }
  const fullReadRequests = listings();
  const steadyCycle = await cycle();
  const quietCycle = await cycle();
  // An hour of cycles (steady and quiet ones, the removal sweep's included), counted; one
  // triggered issue is deleted in the tracker first, and the cycle it leaves the candidates is noted.
  const deleted = linear?.store.issues.find((i) => i.title === 'issue 0');
  if (linear && deleted) linear.store.issues.splice(linear.store.issues.indexOf(deleted), 1);
  let hourRequests = 0;
  let removalSeenAfterCycles = -1;
  // Jira lists per mapping (the same requests every cycle): its hour is the quiet cycle × 120, not run.
  if (!linear) hourRequests = quietCycle.requests * CYCLES_AN_HOUR;
  for (let n = 1; linear && n <= CYCLES_AN_HOUR; n++) {
    const one = await cycle();
    hourRequests += one.requests;
    // The planner's report names every candidate it saw (dispatched, skipped with a reason, or in progress).
    const seen = deleted && JSON.stringify(one.report).includes(`"${deleted.identifier}"`);
    if (deleted && removalSeenAfterCycles < 0 && !seen) removalSeenAfterCycles = n;
  }
  await orchestrator.dispose();
  console.log(`  (measured ${tracker} ${mappings} x ${issuesPerMapping}: ${hourRequests} requests in the hour)`);
  await linear?.close();
  await jira?.close();
  return {
    tracker,
    mappings,
    issuesPerMapping,
    firstCycle,
    steadyCycle,
    quietCycle,
    fullReadRequests,
    hourRequests,
    removalSeenAfterCycles,
  };
}

const rows: Row[] = [];
const TRACKERS = (process.env.POLL_TRACKERS ?? 'linear,jira').split(',') as ('linear' | 'jira')[];
for (const tracker of TRACKERS) {
  const baseline = await measure(tracker, 20, 100);
  const scaledIssues = await measure(tracker, 20, 500);
  const scaledMappings = await measure(tracker, 10, 500);
  rows.push(baseline, scaledIssues, scaledMappings);
  const ratio = (a: number, b: number) => (b === 0 ? 'n/a' : (a / b).toFixed(2));
  console.log(`\n${tracker}`);
  console.log(
    'mappings x issues | first cycle: requests, ms | steady cycle: requests, ms | quiet cycle: requests, ms | the next 120 cycles (an hour at a 30 s poll): requests, share of the budget | a deleted issue left after',
  );
  for (const row of [baseline, scaledIssues, scaledMappings]) {
    // Counted over 120 cycles, the removal sweep included; Linear allows 2,500 requests an hour per API key.
    const share =
      tracker === 'linear'
        ? `${row.hourRequests} req/h = ${((row.hourRequests / 2500) * 100).toFixed(1)} %`
        : `${row.hourRequests} req/h (quiet x 120)`;
    const removal =
      tracker === 'linear'
        ? row.removalSeenAfterCycles < 0
          ? 'not within the hour'
          : `${row.removalSeenAfterCycles} cycle(s)`
        : 'n/a';
    console.log(
      `${row.mappings} x ${row.issuesPerMapping} | ${row.firstCycle.requests}, ${row.firstCycle.ms} (${row.firstCycle.cycles} cycle(s)) | ${row.steadyCycle.requests}, ${row.steadyCycle.ms} | ${row.quietCycle.requests}, ${row.quietCycle.ms} | ${share} | ${removal}`,
    );
  }
  console.log(
    `5x issues (100 -> 500 per mapping): steady requests x${ratio(scaledIssues.steadyCycle.requests, baseline.steadyCycle.requests)} (Jira: pages, 100 a page; Linear: what changed, never per issue)`,
  );
  console.log(
    `2x mappings (10 -> 20 at 500 issues): steady requests x${ratio(scaledIssues.steadyCycle.requests, scaledMappings.steadyCycle.requests)}`,
  );
}
