import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeGithub, startFakeGithub } from '../../testing/fakes/github/fake-github.js';
import { OWNER, TOKEN } from '../../testing/fakes/github/seed.js';
import { type BrowserWorld, startBrowserWorld } from './browser-world.js';

/**
 * The Projects stepper offers GitHub Issues beside Linear and Jira (with the optional issues
 * repository), and the Issues panel links a GitHub issue to the issue on GitHub. The real
 * server in-process with a GitHub token on the fake GitHub; Debian's chromium.
 */

const CODE = 'browser-github-issues-code';
let fake: FakeGithub;
let world: BrowserWorld | undefined;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  fake = await startFakeGithub();
  fake.addToken(TOKEN);
  fake.addRepo({ owner: OWNER, repo: 'web' });
  fake.addRepo({ owner: OWNER, repo: 'web-issues' });
  fake.addIssue({ owner: OWNER, repo: 'web-issues', title: 'Fix the footer', labels: ['AI-Implement'] });
  world = await startBrowserWorld(CODE, { width: 1280, height: 900 }, { GITHUB_TOKEN: TOKEN, GITHUB_API_URL: fake.url });
  context = world.context;
  page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(5_000);
});

afterAll(async () => {
  await world?.close();
  await fake?.close();
});

describe('GitHub Issues in the admin', () => {
  it('creates a GitHub Issues project with an issues repository through the stepper', async () => {
    await page.goto(`${world!.server.url}/admin`);
    await page.getByLabel('Access code').fill(CODE);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('main h1', { hasText: 'Overview' }).waitFor();
    await page.locator('#sidebar').getByRole('link', { name: 'Projects', exact: true }).click();
    await page.getByRole('button', { name: '+ New project' }).click();
    const choices = await page.locator('form.stepper fieldset[data-step="0"] label').allTextContents();
    expect(choices).toEqual(['Linear', 'Jira', 'GitHub Issues', 'Local tracker']);
    await page.getByLabel('GitHub Issues').check();
    await page.getByRole('button', { name: 'Next' }).click();
    expect(await page.getByLabel('Jira project key').count()).toBe(0);
    await page.getByLabel('Team key').fill('WEB');
    await page.getByLabel('Issues repository').fill('web-issues');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByLabel('Owner').fill(OWNER);
    await page.getByLabel('Repository name').fill('web');
    await page.getByLabel('Default branch').fill('main');
    await page.getByRole('button', { name: 'Review' }).click();
    await page.getByRole('button', { name: 'Create project' }).click();
    await page.locator('main .callout-good', { hasText: 'Project WEB created.' }).waitFor();
    const row = page.locator('main table tbody tr', { hasText: 'WEB' });
    expect(await row.textContent()).toContain('GitHub Issues');
    expect(await row.textContent()).toContain(`${OWNER}/web-issues`);

    const res = await fetch(`${world!.server.url}/api/mappings`, { headers: { authorization: `Bearer ${world!.token}` } });
    const { mappings } = (await res.json()) as { mappings: Record<string, unknown>[] };
    expect(mappings).toEqual([
      expect.objectContaining({ teamKey: 'WEB', ticketing: 'github', owner: OWNER, repo: 'web', issuesRepo: 'web-issues' }),
    ]);
  });

  it('links the issue in the Issues panel to the issue on GitHub', async () => {
    await fetch(`${world!.server.url}/api/v1/refresh`, { method: 'POST', headers: { authorization: `Bearer ${world!.token}` } });
    await page.locator('#sidebar').getByRole('link', { name: 'Issues', exact: true }).click();
    await page.locator('main h1', { hasText: /^Issues$/ }).waitFor();
    const link = page.locator('main table tbody tr', { hasText: 'Fix the footer' }).getByRole('link', { name: 'WEB-1' });
    await link.waitFor();
    expect(await link.getAttribute('href')).toBe(`${fake.htmlUrl}/${OWNER}/web-issues/issues/1`);
  });
});
