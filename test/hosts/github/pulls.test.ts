import { afterEach, describe, expect, it } from 'vitest';
import { parsePullUrl, pullJobStatus } from '../../../core/app/pulls/pulls.service.js';
import { STORAGE_KINDS } from '../harness.js';
import { type GithubHarness, OWNER, openPullThroughARun, REPO, startGithubHarness, TEAM } from './github-harness.js';

let g: GithubHarness | undefined;
afterEach(async () => {
  await g?.close();
  g = undefined;
});

const pulls = async (gh: GithubHarness) => {
  const res = await gh.h.call('GET', '/api/pulls', { token: gh.token });
  expect(res.status).toBe(200);
  return ((await res.json()) as { pulls: Record<string, unknown>[] }).pulls;
};

describe.each(STORAGE_KINDS)('GET /api/pulls (%s storage)', (kind) => {
  it('is empty at first, and lists the pull request a finished run opened, with links and timings', async () => {
    g = await startGithubHarness({ kind });
    expect(await pulls(g)).toEqual([]);
    const opened = await openPullThroughARun(g);
    g.h.clock.advance(90_000);

    const rows = await pulls(g);
    const issueUrl = `https://orchestrator.example.com/api/tracker/issues/${opened.issue.identifier}`;
    expect(rows).toEqual([
      {
        owner: OWNER,
        repo: REPO,
        repository: `${OWNER}/${REPO}`,
        number: opened.pull.number,
        url: opened.url,
        // The run's branch: the mapping's branchPrefix and the identifier.
        branch: opened.pull.branch,
        issue: { id: opened.issue.id, identifier: opened.issue.identifier, url: issueUrl },
        teamKey: TEAM,
        job: { id: opened.job.id, phase: 'implementation', status: 'completed', runUrl: opened.job.runUrl ?? null },
        status: 'completed',
        iteration: 1,
        lastDispatchAt: new Date(opened.job.dispatchedAt).toISOString(),
        // dispatched at T0, the result a minute later, listed 90 s after that
        secondsSinceLastDispatch: 150,
        merged: false,
        mergedAt: null,
        links: {
          pullRequest: opened.url,
          issue: issueUrl,
          run: opened.job.runUrl ?? null,
          repository: opened.url.replace(/\/pull\/\d+$/, ''),
        },
      },
    ]);
    expect(opened.url).toMatch(new RegExp(`/${OWNER}/${REPO}/pull/${opened.pull.number}$`));
  });

  it('survives a restart of the orchestrator on the same store', async () => {
    if (kind !== 'sqlite') return;
    g = await startGithubHarness({ kind });
    const opened = await openPullThroughARun(g);
    const { createOrchestrator } = await import('../../../hosts/container.js');
    const config = g.h.orchestrator.cradle.config;
    await g.h.orchestrator.dispose();
    const again = await createOrchestrator(config);
    try {
      const rows = await again.cradle.pulls.list();
      expect(rows.map((r) => [r.number, r.issue.identifier])).toEqual([[opened.pull.number, opened.issue.identifier]]);
    } finally {
      await again.dispose();
    }
  });
});

describe('pull request tracking', () => {
  it('shows review_failed for a run whose post-push review flagged blockers', async () => {
    g = await startGithubHarness();
    const { cradle } = g.h.orchestrator;
    const issue = (await cradle.tracker.create({ teamKey: TEAM, title: 'risky', labels: ['AI-Implement'] }))._unsafeUnwrap();
    await cradle.reconcile.request();
    const [job] = await cradle.storage.jobs.list();
    const prUrl = `https://github.com/${OWNER}/${REPO}/pull/12`;
    await cradle.jobOutcome.record(job!.id, { type: 'review-failed', prUrl, at: g.h.clock.now() });
    const [row] = await pulls(g);
    expect(row).toMatchObject({ number: 12, status: 'review_failed', job: { status: 'review_failed' }, issue: { id: issue.id } });
  });

  it('tracks nothing for a run that failed, or a planning run', async () => {
    g = await startGithubHarness({ mapping: { planningEnabled: true, autoApprovePlans: false } });
    const { cradle } = g.h.orchestrator;
    await cradle.tracker.create({ teamKey: TEAM, title: 'a', labels: ['AI-Implement'] });
    await cradle.reconcile.request();
    const [planning] = await cradle.storage.jobs.list();
    expect(planning?.phase).toBe('planning');
    await cradle.jobOutcome.record(planning!.id, { type: 'succeeded', at: g.h.clock.now() });
    expect(await pulls(g)).toEqual([]);

    g.h.clock.advance(1000);
    const other = (await cradle.tracker.create({ teamKey: TEAM, title: 'b', labels: ['AI-Implement'] }))._unsafeUnwrap();
    await cradle.storage.mappings.put({ ...(await cradle.storage.mappings.get(TEAM))!, planningEnabled: false });
    await cradle.reconcile.request();
    const impl = (await cradle.storage.jobs.list()).find((j) => j.issueId === other.id);
    await cradle.jobOutcome.record(impl!.id, { type: 'failed', error: 'git clone failed (exit 128)', at: g.h.clock.now() });
    expect(await pulls(g)).toEqual([]);
  });

  it('maps job statuses onto the panel words', () => {
    expect(['unknown', 'dispatched', 'running'].map((s) => pullJobStatus(s as never))).toEqual(['running', 'running', 'running']);
    expect(pullJobStatus('completed')).toBe('completed');
    expect(pullJobStatus('review_failed')).toBe('review_failed');
    expect(pullJobStatus('failed')).toBe('failed');
    expect(pullJobStatus('timed_out')).toBe('failed');
  });

  it('parses pull request URLs of github.com and Enterprise hosts, and nothing else', () => {
    expect(parsePullUrl('https://github.com/acme/web/pull/12')).toEqual({ owner: 'acme', repo: 'web', number: 12 });
    expect(parsePullUrl('https://ghe.example.com/acme/web.js/pull/3/files')).toEqual({
      owner: 'acme',
      repo: 'web.js',
      number: 3,
    });
    for (const bad of [
      '',
      'not a url',
      'https://github.com/acme/web/issues/12',
      'https://github.com/acme/web/pull/0',
      'https://github.com/acme/pull/1',
    ]) {
      expect(parsePullUrl(bad), bad).toBeUndefined();
    }
  });
});
