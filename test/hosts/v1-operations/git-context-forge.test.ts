import { afterEach, describe, expect, it } from 'vitest';
import { type GithubHarness, OWNER, REPO, startGithubHarness } from '../github/github-harness.js';
import { getJson } from '../v1/v1-helpers.js';

type Context = {
  repositories: {
    teamKey: string;
    branches: { name: string; identifier: string; pullRequest: string | null }[];
    pullRequests: { number: number; branch: string | null; identifier: string; url: string }[];
    pullRequestsFrom: string;
    forgeError: string | null;
  }[];
};

let g: GithubHarness | undefined;
afterEach(async () => {
  await g?.close();
  g = undefined;
});

describe('GET /api/v1/git/context asks the forge for the bot’s open pull requests', () => {
  it('lists the open pull requests under the mapping’s branch prefix as GitHub has them, whoever opened them', async () => {
    g = await startGithubHarness({ mapping: { branchPrefix: 'bot/' } });
    const repo = { owner: OWNER, repo: REPO };
    g.github.addBranch(OWNER, REPO, 'bot/ENG-7', { 'a.txt': 'a' });
    g.github.addBranch(OWNER, REPO, 'feature/by-hand', { 'b.txt': 'b' });
    const forge = g.h.orchestrator.cradle.forgeRegistry.get('github')!;
    const ours = (
      await forge.openPullRequest(repo, { branch: 'bot/ENG-7', base: 'main', title: 'ENG-7', body: '' })
    )._unsafeUnwrap();
    await forge.openPullRequest(repo, { branch: 'feature/by-hand', base: 'main', title: 'by hand', body: '' });

    const before = g.github.requests.length;
    const context = await getJson<Context>(g.h, g.token, '/api/v1/git/context');
    expect(context.repositories).toEqual([
      expect.objectContaining({
        teamKey: 'ENG',
        pullRequestsFrom: 'forge',
        forgeError: null,
        pullRequests: [expect.objectContaining({ number: ours.number, branch: 'bot/ENG-7', identifier: 'ENG-7', url: ours.url })],
        branches: [{ name: 'bot/ENG-7', identifier: 'ENG-7', jobId: null, pullRequest: ours.url }],
      }),
    ]);
    // One request for the repository.
    expect(g.github.requests.slice(before).map((r) => `${r.method} ${r.path}`)).toEqual([`GET /repos/${OWNER}/${REPO}/pulls`]);
  });

  it('falls back to its own records, saying why, when GitHub fails', async () => {
    g = await startGithubHarness();
    g.github.failNext({ method: 'GET', path: /\/pulls$/, status: 404, body: { message: 'Not Found' }, times: 10 });
    const context = await getJson<Context>(g.h, g.token, '/api/v1/git/context');
    expect(context.repositories[0]).toMatchObject({ pullRequestsFrom: 'records', pullRequests: [] });
    expect(context.repositories[0]?.forgeError).toMatch(/Not Found/);
  });
});
