import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ConsoleMessage, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalForge, localForgeRoot } from '../../adapters/forge/local/local-forge.adapter.js';
import { MAPPING_MESSAGES } from '../../core/domain/mappings.js';
import { type BrowserWorld, startBrowserWorld } from './browser-world.js';

/**
 * Issue 16 in chromium: the local forge's pull-request page, the Projects stepper's checks, and
 * the operator panels (Configuration, Prompt templates, Local secrets, Workspaces, Audit log,
 * Secrets, Overview) loading without a CSP violation or a console error. Screenshots of each
 * panel at 1440 px and 390 px wide go to .test-results/admin-panels/ (gitignored).
 */

const CODE = 'operator-panels-code';
const SHOTS = join(process.cwd(), '.test-results', 'admin-panels');
const BRANCH = 'ai-implement/LOC-1';
const TOKEN_KEY = 'ai-implement.admin.token';

declare const sessionStorage: { setItem(key: string, value: string): void };
declare const document: { documentElement: { scrollWidth: number }; querySelectorAll(selector: string): { length: number } };

let world: BrowserWorld | undefined;
let page: Page;
let pullNumber = 0;
/** Console errors and CSP reports, by the page's URL at the time. */
const problems: string[] = [];

function watch(p: Page): void {
  p.setDefaultTimeout(15_000); // two cores shared with other work
  p.on('console', (message: ConsoleMessage) => {
    if (message.type() === 'error' || /Content Security Policy/i.test(message.text()))
      problems.push(`${p.url()}: ${message.text()}`);
  });
  p.on('pageerror', (error) => problems.push(`${p.url()}: ${error.message}`));
  p.on('dialog', (dialog) => void dialog.accept());
}

/** Opens a panel by its route on a fresh load of the page and waits until it has loaded. */
async function openPanel(id: string): Promise<void> {
  await page.goto(`${world?.server.url}/admin#/${id}`, { waitUntil: 'domcontentloaded' });
  await page.reload({ waitUntil: 'domcontentloaded' }); // a change of the hash alone is no new load
  await page.locator('main .panel-head h1').waitFor();
  await page.locator('main [aria-busy="true"]').waitFor({ state: 'detached' });
}

async function screenshots(id: string): Promise<void> {
  for (const width of [1440, 390]) {
    await page.setViewportSize({ width, height: 900 });
    await page.waitForTimeout(100);
    await page.screenshot({ path: join(SHOTS, `${id}-${width}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1440, height: 900 });
}

describe('issue 16 in chromium: local-forge pull requests, the stepper, the operator panels', () => {
  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    world = await startBrowserWorld(CODE, { width: 1440, height: 900 });
    // A pull request on the orchestrator's own local forge: one commit that adds a file with markup in it.
    const forge = createLocalForge({ root: localForgeRoot(world.server.orchestrator.cradle.config.dataDir) });
    try {
      const path = (
        await forge.createRepository({ owner: 'acme', repo: 'app' }, 'main', { 'README.md': '# app\n' })
      )._unsafeUnwrap();
      const { execFileSync } = await import('node:child_process');
      execFileSync('git', ['--git-dir', path, 'update-ref', `refs/heads/${BRANCH}`, 'refs/heads/main']);
      (
        await forge.putFile({ owner: 'acme', repo: 'app' }, 'src/b.html', '<b id="injected">bold</b>\n', 'Add <b>', BRANCH)
      )._unsafeUnwrap();
      const pr = (
        await forge.openPullRequest(
          { owner: 'acme', repo: 'app' },
          { branch: BRANCH, base: 'main', title: 'LOC-1: add a page', body: 'Closes LOC-1\n\nAdds src/b.html.' },
        )
      )._unsafeUnwrap();
      pullNumber = pr.number;
    } finally {
      await forge.close();
    }
    page = world.context.pages()[0] ?? (await world.context.newPage());
    watch(page);
    // Signed in the way the login form leaves it: the token in this tab's sessionStorage.
    await page.goto(`${world.server.url}/admin`);
    await page.evaluate(([key, value]) => sessionStorage.setItem(key as string, value as string), [TOKEN_KEY, world.token]);
  }, 60_000);

  afterAll(async () => {
    await world?.close();
  });

  it('shows a local-forge pull request — after signing in on a fresh tab — with its branch, commits and the diff as text', async () => {
    const tab = await world!.context.newPage();
    watch(tab);
    try {
      await tab.goto(`${world!.server.url}/local-forge/acme/app/pull/${pullNumber}`);
      // A new tab holds no admin token: the page asks for the access code, as /admin does.
      await tab.getByLabel('Access code').fill(CODE);
      await tab.getByRole('button', { name: 'Sign in' }).click();
      await tab.locator('main h1', { hasText: 'LOC-1: add a page' }).waitFor();
      expect(await tab.getByTestId('head-branch').textContent()).toBe(BRANCH);
      expect(await tab.locator('.forge-body').textContent()).toContain('Adds src/b.html.');
      await expect.poll(() => tab.locator('main table tbody tr').count()).toBe(1);
      expect(await tab.locator('main table tbody').textContent()).toContain('Add <b>');
      const diff = (await tab.locator('pre.diff').textContent()) ?? '';
      expect(diff).toContain('diff --git a/src/b.html b/src/b.html');
      expect(diff).toContain('+<b id="injected">bold</b>');
      expect(await tab.locator('pre.diff .diff-add').count()).toBeGreaterThan(0);
      // Text, never markup: the diff's <b> did not become an element.
      expect(await tab.evaluate(() => document.querySelectorAll('#injected').length)).toBe(0);
      mkdirSync(SHOTS, { recursive: true });
      await tab.screenshot({ path: join(SHOTS, 'local-forge-pull-1440.png'), fullPage: true });
      await tab.setViewportSize({ width: 390, height: 900 });
      await tab.screenshot({ path: join(SHOTS, 'local-forge-pull-390.png'), fullPage: true });
      // The same page for a number the forge does not have says so.
      await tab.goto(`${world!.server.url}/local-forge/acme/app/pull/${pullNumber + 40}`);
      await tab.getByText('The local forge has no such pull request.').waitFor();
    } finally {
      await tab.close();
    }
    // The 404 above is the one console line a missing pull request leaves.
    const unexpected = problems.filter((p) => !/status of 404/.test(p));
    expect(unexpected).toEqual([]);
    problems.length = 0;
  });

  it('keeps the stepper on a step until its required fields are filled, with the spec’s message beside the field', async () => {
    await openPanel('projects');
    await page.getByRole('button', { name: '+ New project' }).click();
    const next = page.locator('form.stepper').getByRole('button', { name: 'Next' });
    const legend = page.locator('fieldset.step:not([hidden]) legend');
    await page.getByLabel('Local tracker').check();
    await next.click(); // Ticketing system → Source
    expect(await legend.textContent()).toBe('Step 2 of 8: Source');

    await next.click(); // the team key is empty
    expect(await legend.textContent()).toBe('Step 2 of 8: Source');
    const teamKeyError = page.locator('[data-field="teamKey"] .field-error');
    expect(await teamKeyError.textContent()).toBe(MAPPING_MESSAGES.required);
    expect(await page.locator('[data-field="teamKey"] input').getAttribute('aria-invalid')).toBe('true');

    await page.locator('[data-field="teamKey"] input').fill('LOC');
    await next.click();
    expect(await legend.textContent()).toBe('Step 3 of 8: Repository');
    await page.locator('[data-field="owner"] input').fill('acme');
    await page.locator('[data-field="repo"] input').fill('app');
    await next.click(); // the default branch is empty
    expect(await legend.textContent()).toBe('Step 3 of 8: Repository');
    expect(await page.locator('[data-field="defaultBranch"] .field-error').textContent()).toBe(
      MAPPING_MESSAGES.defaultBranchRequired,
    );
    // Jumping ahead with the step buttons is refused the same way.
    await page
      .locator('.steps')
      .getByRole('button', { name: /Review/ })
      .click();
    expect(await legend.textContent()).toBe('Step 3 of 8: Repository');

    await page.locator('[data-field="defaultBranch"] input').fill('main');
    await page.locator('[data-field="forge"] select').selectOption('local');
    await page
      .locator('.steps')
      .getByRole('button', { name: /Review/ })
      .click();
    expect(await legend.textContent()).toBe('Step 8 of 8: Review');
    const review = (await page.locator('dl.review').textContent()) ?? '';
    for (const field of ['teamKey', 'owner', 'repo', 'defaultBranch', 'branchPrefix', 'maxTurns', 'maxJobMinutes', 'provider']) {
      expect(review, field).toContain(field);
    }
    expect(review).toContain('default (ai-implement/)');
    expect(review).toContain('default (90)');
    await screenshots('projects-stepper');

    // A refusal only the server makes (here faked on the wire, once) takes the operator back to the field's own step.
    await page.route(
      '**/api/mappings',
      (route) =>
        route.request().method() === 'POST'
          ? route.fulfill({
              status: 400,
              contentType: 'application/json',
              body: JSON.stringify({ error: "defaultBranch invalid: must not contain '~'" }),
            })
          : route.continue(),
      { times: 1 },
    );
    await page.locator('form.stepper').getByRole('button', { name: 'Create project' }).click();
    await expect.poll(() => legend.textContent()).toBe('Step 3 of 8: Repository');
    expect(await page.locator('[data-field="defaultBranch"] .field-error').textContent()).toBe(
      "defaultBranch invalid: must not contain '~'",
    );
    expect(await page.evaluate(() => (document as unknown as { activeElement: { name?: string } }).activeElement.name)).toBe(
      'defaultBranch',
    );

    await page
      .locator('.steps')
      .getByRole('button', { name: /Review/ })
      .click();
    await page.locator('form.stepper').getByRole('button', { name: 'Create project' }).click();
    await page.locator('main table tbody tr', { hasText: 'LOC' }).first().waitFor();
    // The one console line is chromium's report of the faked 400.
    expect(problems.filter((p) => !/status of 400/.test(p))).toEqual([]);
    expect(problems.filter((p) => /status of 400/.test(p))).toHaveLength(1);
  });

  const PANELS: [id: string, ready: (p: Page) => Promise<unknown>][] = [
    ['overview', (p) => p.locator('main h2', { hasText: 'Projects' }).waitFor()],
    ['templates', (p) => p.locator('main table tbody tr').first().waitFor()],
    ['config', (p) => p.locator('main table tbody tr').first().waitFor()],
    ['local-secrets', (p) => p.getByRole('button', { name: 'Store secret' }).waitFor()],
    ['workspaces', (p) => p.locator('main .kpis').waitFor()],
    ['audit', (p) => p.locator('main .pager [role="status"]', { hasText: /of \d+/ }).waitFor()],
    ['secrets', (p) => p.getByText('Fly sessions app in Settings').first().waitFor()],
    // Each row's cap field has a visually hidden label, positioned inside the scrolling table.
    ['projects', (p) => p.locator('main table tbody tr', { hasText: 'LOC' }).waitFor()],
  ];

  for (const [id, ready] of PANELS) {
    it(`loads the ${id} panel with no CSP violation and no console error (screenshots at 1440 and 390 px)`, async () => {
      problems.length = 0;
      await openPanel(id);
      await ready(page);
      expect(await page.locator('main .callout-bad').count()).toBe(0);
      await screenshots(id);
      // The 390 px layout does not scroll sideways as a whole (tables scroll inside their region).
      await page.setViewportSize({ width: 390, height: 900 });
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      await page.setViewportSize({ width: 1440, height: 900 });
      // Fly is not configured in this world: the Secrets panel's lists answer 503, which chromium logs.
      const unexpected = problems.filter((p) => !(id === 'secrets' && /status of 503/.test(p)));
      expect(unexpected).toEqual([]);
      problems.length = 0;
    });
  }

  it('the overview tells the truth per project: the shadow override, no templates for the local forge', async () => {
    await openPanel('overview');
    const row = page.locator('main table tbody tr', { hasText: 'acme/app (local forge)' });
    expect(await row.textContent()).toContain('Shadow (dry run) (override)');
    expect(await row.textContent()).toContain('not used (local forge)');
    const stale = page.locator('.kpi', { hasText: 'Stale templates' });
    expect(await stale.locator('.kpi-value').textContent()).toBe('0');
  });

  it('previews a template with sample variables, and the config panel shows help and the environment’s lock', async () => {
    problems.length = 0;
    await openPanel('templates');
    await page
      .getByRole('button', { name: /^View template/ })
      .first()
      .click();
    await page.getByRole('button', { name: 'Preview' }).click();
    await page.locator('pre.preview-output').waitFor();
    expect(((await page.locator('pre.preview-output').textContent()) ?? '').length).toBeGreaterThan(0);

    await openPanel('config');
    await page.getByLabel('Filter keys').fill('RUNNER_MODE');
    const row = page.locator('main table tbody tr', { hasText: 'RUNNER_MODE' }).first();
    expect(await row.textContent()).toContain('RUNNER_MODE is set in the environment');
    expect(await row.locator('.hint').count()).toBe(1);
    expect(problems).toEqual([]);
  });

  it("links a session's issue where the session names one, with or without a job (spec: linked to the ticketing system)", async () => {
    // Fly is not configured in this world: its answer, faked on the wire.
    const sessions = [
      {
        machineId: 'm-with-job',
        name: 's1',
        state: 'started',
        region: 'iad',
        startedAt: 0,
        uptimeSeconds: 60,
        issueIdentifier: 'LOC-1',
        repo: 'acme/app',
        jobId: 'job-1',
      },
      {
        machineId: 'm-issue-only',
        name: 's2',
        state: 'started',
        region: 'iad',
        startedAt: 0,
        uptimeSeconds: 60,
        issueIdentifier: 'LOC-2',
        repo: 'acme/app',
        jobId: null,
      },
      {
        machineId: 'm-bare',
        name: 's3',
        state: 'started',
        region: 'iad',
        startedAt: 0,
        uptimeSeconds: 60,
        issueIdentifier: null,
        repo: null,
        jobId: null,
      },
    ];
    await page.route('**/api/sessions', (route) => route.fulfill({ status: 200, json: { sessions } }));
    try {
      await openPanel('sessions');
      const row = (machine: string) => page.locator('main table tbody tr', { hasText: machine });
      expect(await row('m-with-job').getByRole('link', { name: 'LOC-1' }).getAttribute('href')).toBe('#/issue/LOC-1');
      expect(await row('m-with-job').getByRole('link', { name: 'job' }).getAttribute('href')).toBe('#/job/job-1');
      expect(await row('m-issue-only').getByRole('link', { name: 'LOC-2' }).getAttribute('href')).toBe('#/issue/LOC-2');
      expect(await row('m-bare').getByRole('link').count()).toBe(0);
    } finally {
      await page.unroute('**/api/sessions');
    }
  });

  it('has a link to the API docs in the header', async () => {
    await openPanel('overview');
    expect(await page.locator('header').getByRole('link', { name: 'API docs' }).getAttribute('href')).toBe('/api/docs');
  });
});
