import { afterEach, describe, expect, it } from 'vitest';
import { type FakeJira, startFakeJira } from '../../../testing/fakes/jira/jira-fake.js';
import { heldShadowRunner } from '../capturing-runner.js';
import { ACCESS_CODE, type Harness, startHarness } from '../harness.js';

let h: Harness | undefined;
let jira: FakeJira | undefined;
/** The orchestrator on the Jira fake, runs held in flight. */
const startOn = (fake: FakeJira) =>
  startHarness(
    'memory',
    {
      ADMIN_ACCESS_CODE: ACCESS_CODE,
      RUNNER_MODE: 'shadow',
      JIRA_HOST: fake.url,
      JIRA_EMAIL: fake.email,
      JIRA_API_TOKEN: fake.apiToken,
    },
    heldShadowRunner(),
  );

/** Adds Jira mappings of owner `acme` through the API, each answered 200. */
async function addMappings(bodies: Record<string, string>[]): Promise<void> {
  if (!h) throw new Error('no harness');
  const token = await h.login();
  for (const body of bodies) {
    const res = await h.call('POST', '/api/mappings', {
      token,
      body: { ticketing: 'jira', owner: 'acme', defaultBranch: 'main', ...body },
    });
    expect(res.status, JSON.stringify(await res.clone().json())).toBe(200);
  }
}

/** The candidate searches the fake received (the no-mapping scan is its own, at most every five minutes). */
const candidateSearches = (fake: FakeJira) =>
  fake.requests
    .filter((r) => r.path === '/rest/api/3/search/jql')
    .map((r) => String(r.query.jql ?? (r.body as { jql?: string } | undefined)?.jql))
    .filter((q) => q.includes(' AND status in ('));

afterEach(async () => {
  await h?.close();
  await jira?.close();
  h = jira = undefined;
});

describe('a reconcile cycle over several Jira mappings of one site (issue 12 item 3)', () => {
  it('sends one search for the project-scoped mappings and one for a mapping with its own JQL; each dispatches its own issue', async () => {
    jira = await startFakeJira({ projects: ['ENG', 'OPS', 'WEB'] });
    const eng = jira.store.createIssue({ project: 'ENG', summary: 'eng work', status: 'Ready', repo: 'api' });
    const ops = jira.store.createIssue({ project: 'OPS', summary: 'ops work', status: 'Ready', repo: 'web' });
    const web = jira.store.createIssue({ project: 'WEB', summary: 'web work', status: 'Ready', repo: 'web' });
    h = await startOn(jira);
    await addMappings([
      { teamKey: 'ENG', jql: 'project = ENG', repoFieldValue: 'api', repo: 'api' },
      { teamKey: 'OPSTEAM', jql: 'project = "OPS" ORDER BY rank', repoFieldValue: 'web', repo: 'ops' },
      { teamKey: 'SITE', jql: 'project = WEB AND summary ~ "web"', repoFieldValue: 'web', repo: 'site' },
    ]);
    jira.resetRequests();
    const report = await h.orchestrator.cradle.reconcile.request();
    expect(report.dispatched.map((d) => d.identifier).sort()).toEqual([eng.key, ops.key, web.key].sort());
    const jqls = candidateSearches(jira);
    expect(jqls).toHaveLength(2);
    expect(jqls.some((q) => q.includes('(project = ENG)') && q.includes('(project = "OPS")'))).toBe(true);
    expect(jqls.some((q) => q.startsWith('(project = WEB AND summary ~ "web")'))).toBe(true);
  });
});

describe('a reconcile cycle over several Jira mappings sharing one JQL, told apart by Repo (issue 12 item 3)', () => {
  it('sends one search for the three mappings; each issue goes to the mapping of its repo value; an issue of no mapping’s repo is not dispatched', async () => {
    jira = await startFakeJira({ projects: ['ENG', 'OPS'] });
    const api = jira.store.createIssue({ project: 'ENG', summary: 'api work', status: 'Ready', repo: 'api' });
    const web = jira.store.createIssue({ project: 'ENG', summary: 'web work', status: 'Ready', repo: 'web' });
    const mobile = jira.store.createIssue({ project: 'ENG', summary: 'mobile work', status: 'Ready', repo: 'mobile' });
    const norepo = jira.store.createIssue({ project: 'ENG', summary: 'no repo', status: 'Ready' });
    h = await startOn(jira);
    await addMappings([
      { jql: 'project = ENG', teamKey: 'ENGAPI', repoFieldValue: 'api', repo: 'api' },
      { jql: 'project = ENG', teamKey: 'ENGWEB', repoFieldValue: 'web', repo: 'site' },
      { jql: 'project = ENG', teamKey: 'ENGMOB', repoFieldValue: 'mobile', repo: 'app' },
    ]);
    jira.resetRequests();
    const report = await h.orchestrator.cradle.reconcile.request();
    expect(report.errors).toEqual({});
    expect(candidateSearches(jira)).toHaveLength(1);
    const jobs = await Promise.all(report.dispatched.map((d) => h!.orchestrator.cradle.storage.jobs.get(d.jobId)));
    const routed = jobs.map((j) => `${j?.identifier} ${j?.teamKey} ${j?.repo}`).sort();
    expect(routed).toEqual([`${api.key} ENGAPI api`, `${mobile.key} ENGMOB app`, `${web.key} ENGWEB site`].sort());
    expect(jira.store.issue(norepo.key)?.status).toBe('Ready');
  });

  it('a shared-JQL group Jira rejects fails only its own mappings: the other group is still dispatched', async () => {
    jira = await startFakeJira({ projects: ['ENG', 'OPS'] });
    const ops = jira.store.createIssue({ project: 'OPS', summary: 'ops work', status: 'Ready', repo: 'api' });
    h = await startOn(jira);
    await addMappings([
      { teamKey: 'GONEAPI', jql: 'project = ENG AND fixVersion = "nope"', repoFieldValue: 'api', repo: 'api' },
      { teamKey: 'GONEWEB', jql: 'project = ENG AND fixVersion = "nope"', repoFieldValue: 'web', repo: 'web' },
      { teamKey: 'OPSAPI', jql: 'project = OPS AND summary ~ "ops"', repoFieldValue: 'api', repo: 'ops' },
      { teamKey: 'OPSWEB', jql: 'project = OPS AND summary ~ "ops"', repoFieldValue: 'web', repo: 'opsweb' },
    ]);
    const report = await h.orchestrator.cradle.reconcile.request();
    expect(Object.keys(report.errors).sort()).toEqual(['GONEAPI', 'GONEWEB']);
    expect(report.dispatched.map((d) => d.identifier)).toEqual([ops.key]);
  });
});

describe('a shared search Jira refuses because of one mapping', () => {
  it('asks each mapping of the group alone: only the mapping whose repo value is gone misses its cycle', async () => {
    jira = await startFakeJira({ projects: ['ENG'] });
    const api = jira.store.createIssue({ project: 'ENG', summary: 'api work', status: 'Ready', repo: 'api' });
    const web = jira.store.createIssue({ project: 'ENG', summary: 'web work', status: 'Ready', repo: 'web' });
    h = await startOn(jira);
    await addMappings([
      { jql: 'project = ENG', teamKey: 'ENGAPI', repoFieldValue: 'api', repo: 'api' },
      { jql: 'project = ENG', teamKey: 'ENGWEB', repoFieldValue: 'web', repo: 'site' },
      { jql: 'project = ENG', teamKey: 'ENGMOB', repoFieldValue: 'mobile', repo: 'app' },
    ]);
    // Someone deletes the Repo option `mobile` in Jira: a JQL naming it is refused (400).
    jira.store.removeRepoOption('mobile');
    const report = await h.orchestrator.cradle.reconcile.request();
    expect(Object.keys(report.errors)).toEqual(['ENGMOB']);
    expect(report.errors.ENGMOB).toContain("The option 'mobile' for field 'Repo' does not exist.");
    expect(report.dispatched.map((d) => d.identifier).sort()).toEqual([api.key, web.key].sort());
  });
});

describe('an issue outside every Jira mapping’s scope (the no-mapping scan)', () => {
  it('is never dispatched under a mapping whose team key equals its project key', async () => {
    jira = await startFakeJira({ projects: ['ENG'] });
    const mine = jira.store.createIssue({ project: 'ENG', summary: 'eng work', status: 'Ready', repo: 'api' });
    const other = jira.store.createIssue({ project: 'ENG', summary: 'another repo', status: 'Ready', repo: 'web' });
    h = await startOn(jira);
    await addMappings([{ teamKey: 'ENG', jql: 'project = ENG', repoFieldValue: 'api', repo: 'api' }]);
    const report = await h.orchestrator.cradle.reconcile.request();
    expect(report.dispatched.map((d) => d.identifier)).toEqual([mine.key]);
    expect(jira.store.issue(other.key)?.status).toBe('Ready');
  });
});
