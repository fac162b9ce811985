/**
 * bench/poll — reconcile cycles against the wire-level fakes of Linear and Jira.
 *
 * For each tracker it builds an orchestrator (memory storage, shadow runner) with M mappings
 * of N triggered issues each, runs a first cycle (which dispatches up to each cap) and then a
 * steady-state cycle (everything at its cap: listing only), and prints requests per cycle and
 * cycle time. The target: requests grow with mappings and pages, never with issues — so the
 * ratio column for 5x the issues should be about the page ratio, not 5.
 *
 *   npx tsx bench/poll/poll.bench.ts            # 20 mappings x 500 issues, plus baselines
 */
import { asValue } from 'awilix';
import { loadConfig } from '../../hosts/config.js';
import { createOrchestrator } from '../../hosts/container.js';
import type { Logger } from '../../ports/logger.port.js';
import { startFakeJira } from '../../test/fakes/jira/jira-fake.js';
import { startFakeLinear } from '../../test/fakes/linear/fake-linear.server.js';

const silent: Logger = { info() {}, warn() {}, error() {} };

interface Row {
  tracker: string;
  mappings: number;
  issuesPerMapping: number;
  firstCycle: { requests: number; ms: number };
  steadyCycle: { requests: number; ms: number };
}

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
  const cycle = async () => {
    const before = requests();
    const started = performance.now();
    const report = await orchestrator.cradle.reconcile.request();
    if (Object.keys(report.errors).length > 0) throw new Error(JSON.stringify(report.errors));
    return { requests: requests() - before, ms: Math.round(performance.now() - started) };
  };
  const firstCycle = await cycle();
  const steadyCycle = await cycle();
  await orchestrator.dispose();
  await linear?.close();
  await jira?.close();
  return { tracker, mappings, issuesPerMapping, firstCycle, steadyCycle };
}

const rows: Row[] = [];
for (const tracker of ['linear', 'jira'] as const) {
  const baseline = await measure(tracker, 20, 100);
  const scaledIssues = await measure(tracker, 20, 500);
  const scaledMappings = await measure(tracker, 10, 500);
  rows.push(baseline, scaledIssues, scaledMappings);
  const ratio = (a: number, b: number) => (b === 0 ? 'n/a' : (a / b).toFixed(2));
  console.log(`\n${tracker}`);
  console.log('mappings x issues | first cycle: requests, ms | steady cycle: requests, ms | requests per mapping (steady)');
  for (const row of [baseline, scaledIssues, scaledMappings]) {
    console.log(
      `${row.mappings} x ${row.issuesPerMapping} | ${row.firstCycle.requests}, ${row.firstCycle.ms} | ${row.steadyCycle.requests}, ${row.steadyCycle.ms} | ${(row.steadyCycle.requests / row.mappings).toFixed(1)}`,
    );
  }
  console.log(
    `5x issues (100 -> 500 per mapping): steady requests x${ratio(scaledIssues.steadyCycle.requests, baseline.steadyCycle.requests)} (pages: x5 since 100/page -> 5 pages; never per issue)`,
  );
  console.log(
    `2x mappings (10 -> 20 at 500 issues): steady requests x${ratio(scaledIssues.steadyCycle.requests, scaledMappings.steadyCycle.requests)}`,
  );
}
