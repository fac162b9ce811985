import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAPPING_MESSAGES } from '../../core/domain/mappings.js';
import { type RunningServer, startServer } from '../../hosts/cli/main.js';
import { type BrowserWorld, startBrowserWorld } from './browser-world.js';

/**
 * The /admin page in a real browser: Debian's chromium driven by playwright-core against the
 * real server started in this process (chromium is its own process, so nothing blocks). The
 * steps run in order on one page, as an operator would use it.
 */

const CODE = 'browser-test-code';
const HOSTILE_TITLE = 'Ship <img src=x onerror=alert(1)> safely';
const SCREENSHOT = join(tmpdir(), 'ai-implement-admin-overview.png');

const quiet = { out: () => undefined, err: () => undefined };

let server: RunningServer;
let world: BrowserWorld | undefined;
let context: BrowserContext;
let page: Page;
let token: string;
const dialogs: string[] = [];
const cspViolations: string[] = [];

// Browser globals used inside page.evaluate callbacks: this file is type-checked without the DOM lib.
interface PageElement {
  tagName: string;
  textContent: string | null;
  outerHTML: string;
  labels?: { length: number } | null;
  getAttribute(name: string): string | null;
  querySelector(selector: string): PageElement | null;
}
declare const document: {
  activeElement: PageElement | null;
  documentElement: { scrollWidth: number };
  querySelectorAll(selector: string): Iterable<PageElement>;
};
declare const sessionStorage: {
  length: number;
  key(index: number): string | null;
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
};

// biome-ignore lint/suspicious/noExplicitAny: the tests read the API's JSON answers loosely
async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, json: await res.json() };
}

/** Follows a sidebar link and waits until the panel has loaded. */
async function openPanel(link: string, heading = link): Promise<void> {
  await page.locator('#sidebar').getByRole('link', { name: link, exact: true }).click();
  await page.locator('main h1', { hasText: new RegExp(`^${heading.replace(/[()]/g, '\\$&')}$`) }).waitFor();
  await page.locator('main [aria-busy="true"]').waitFor({ state: 'detached' });
}

const rowWith = (text: string) => page.locator('main table tbody tr', { hasText: text });

describe('the /admin page in chromium', () => {
  beforeAll(async () => {
    world = await startBrowserWorld(CODE, { width: 1280, height: 900 });
    ({ server, token, context } = world);
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(5_000);
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
    });
  });

  afterAll(async () => {
    await world?.close();
  });

  it('is not there at all while ADMIN_ACCESS_CODE is unset', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ai-implement-admin-off-'));
    const disabled = await startServer({ PORT: '0', HOST: '127.0.0.1', STORAGE_URL: 'memory:', DATA_DIR: dataDir }, quiet);
    if (!disabled) throw new Error('the server without an access code did not start');
    try {
      const res = await page.goto(`${disabled.url}/admin`);
      expect(res?.status()).toBe(404);
      expect(await page.locator('#login-form').count()).toBe(0);
      expect((await fetch(`${disabled.url}/admin/assets/app.js`)).status).toBe(404);
    } finally {
      await disabled.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('serves the page with a strict CSP, no inline script, and the right content types', async () => {
    const html = await fetch(`${server.url}/admin`);
    expect(html.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = html.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(await html.text()).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    const js = await fetch(`${server.url}/admin/assets/app.js`);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect((await fetch(`${server.url}/admin/assets/admin.css`)).headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect((await fetch(`${server.url}/admin/assets/../admin-assets.ts`)).status).toBe(404);
  });

  it('refuses a wrong access code with the API message', async () => {
    await page.goto(`${server.url}/admin`);
    await page.getByLabel('Access code').fill('not-the-code');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('#login-message', { hasText: 'Invalid access code' }).waitFor();
    expect(await page.locator('#login-message').textContent()).toBe('Invalid access code');
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
  });

  it('signs in, keeps the token in sessionStorage, and shows the Overview', async () => {
    await page.getByLabel('Access code').fill(CODE);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('main h1', { hasText: 'Overview' }).waitFor();
    await page.locator('main [aria-busy="true"]').waitFor({ state: 'detached' });
    const stored = await page.evaluate(() => sessionStorage.getItem('ai-implement.admin.token'));
    const check = await fetch(`${server.url}/api/mappings`, { headers: { authorization: `Bearer ${stored}` } });
    expect(check.status).toBe(200); // the token the page keeps is a working bearer token
    const groups = await page.locator('#sidebar h2').allTextContents();
    expect(groups).toEqual(['Work', 'Configure', 'Platform', 'Developer']);
    expect(await page.locator('.kpi-label').allTextContents()).toEqual(
      expect.arrayContaining(['Running jobs', 'Failed (24 h)', 'Capacity', 'Projects at cap', 'Stale templates']),
    );
  });

  it('creates a project on the local tracker through the Projects stepper', async () => {
    await openPanel('Projects');
    await page.getByRole('button', { name: '+ New project' }).click();
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('New project');
    await page.getByLabel('Local tracker').check();
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByLabel('Team key').fill('WEB');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByLabel('Forge').selectOption('local');
    await page.getByLabel('Owner').fill('acme');
    await page.getByLabel('Repository name').fill('web');
    await page.getByLabel('Default branch').fill('main');
    await page.getByRole('button', { name: 'Capacity' }).click();
    await page.getByLabel('maxTurns').fill('40');

    // Every control of the stepper has a label.
    const unlabelled = await page.evaluate(() =>
      [...document.querySelectorAll('form.stepper input, form.stepper select, form.stepper textarea')]
        .filter((el) => el.labels?.length === 0 && !el.getAttribute('aria-label'))
        .map((el) => el.outerHTML),
    );
    expect(unlabelled).toEqual([]);

    await page.getByRole('button', { name: 'Review' }).click();
    await page.getByRole('button', { name: 'Create project' }).click();
    await page.locator('main .callout-good', { hasText: 'Project WEB created.' }).waitFor();
    await rowWith('acme/web').waitFor();

    const { json } = await call('GET', '/api/mappings');
    expect(json.mappings).toEqual([
      expect.objectContaining({
        teamKey: 'WEB',
        ticketing: 'local',
        forge: 'local',
        owner: 'acme',
        repo: 'web',
        defaultBranch: 'main',
        maxTurns: 40,
      }),
    ]);
    expect(json.mappings[0]).not.toHaveProperty('maxIterations');
  });

  it("refuses a bad project on the step that owns the field, with the spec's exact message beside it", async () => {
    await page.getByRole('button', { name: '+ New project' }).click();
    await page.getByLabel('Linear', { exact: true }).check();
    await page.getByRole('button', { name: 'Source' }).click();
    await page.getByLabel('Linear team key').fill('BAD');
    await page.getByRole('button', { name: 'Repository', exact: true }).click();
    await page.getByLabel('Owner').fill('acme');
    await page.getByLabel('Repository name').fill('web');
    // Skipping ahead to Review with the default branch blank stays on Repository and says why.
    await page.getByRole('button', { name: 'Review' }).click();
    const message = page.locator('form.stepper > [role="alert"]');
    await message.filter({ hasText: MAPPING_MESSAGES.defaultBranchRequired }).waitFor();
    expect(await page.locator('fieldset.step:not([hidden]) legend').textContent()).toBe('Step 3 of 8: Repository');
    expect(await page.locator('[data-field="defaultBranch"] .field-error').textContent()).toBe(
      MAPPING_MESSAGES.defaultBranchRequired,
    );
    expect(await page.getByRole('button', { name: 'Create project' }).count()).toBe(0);

    await page.getByLabel('Owner').fill('bad owner!');
    await page.getByLabel('Default branch').fill('main');
    await page.getByRole('button', { name: 'Review' }).click();
    await message.filter({ hasText: MAPPING_MESSAGES.ownerFormat }).waitFor();
    expect(await page.locator('[data-field="owner"] .field-error').textContent()).toBe(MAPPING_MESSAGES.ownerFormat);

    await page.getByRole('button', { name: 'Cancel' }).click();
    expect((await call('GET', '/api/mappings')).json.mappings.map((m: { teamKey: string }) => m.teamKey)).toEqual(['WEB']);
  });

  it("refuses a new project with an existing project's team key instead of replacing that project", async () => {
    // POST /api/mappings creates or updates: a second "WEB" would overwrite the first one's repository and caps.
    await page.getByRole('button', { name: '+ New project' }).click();
    await page.getByLabel('Local tracker').check();
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByLabel('Team key').fill('WEB');
    await page.getByRole('button', { name: 'Next' }).click();
    const taken = 'A project with team key WEB already exists: edit it instead';
    expect(await page.locator('[data-field="teamKey"] .field-error').textContent()).toBe(taken);
    expect(await page.locator('fieldset.step:not([hidden]) legend').textContent()).toBe('Step 2 of 8: Source');
    // Jumping ahead is refused the same way.
    await page.getByRole('button', { name: 'Review' }).click();
    expect(await page.locator('fieldset.step:not([hidden]) legend').textContent()).toBe('Step 2 of 8: Source');
    await page.getByRole('button', { name: 'Cancel' }).click();
    // Editing the project itself keeps its key, and is not refused.
    await page.getByRole('button', { name: 'Edit WEB' }).click();
    await page.getByRole('button', { name: 'Review' }).click();
    expect(await page.locator('fieldset.step:not([hidden]) legend').textContent()).toBe('Step 8 of 8: Review');
    await page.getByRole('button', { name: 'Cancel' }).click();
    const { json } = await call('GET', '/api/mappings');
    expect(json.mappings).toEqual([expect.objectContaining({ teamKey: 'WEB', owner: 'acme', repo: 'web', maxTurns: 40 })]);
  });

  it("checks a Jira project's JQL with the API before saving, and shows its answer", async () => {
    await page.getByRole('button', { name: '+ New project' }).click();
    await page.getByLabel('Jira', { exact: true }).check();
    await page.getByRole('button', { name: 'Next' }).click();
    const answer = page.locator('.jql-check [role="status"]');
    await page.getByRole('button', { name: 'Check JQL' }).click();
    expect(await answer.textContent()).toBe(MAPPING_MESSAGES.jiraJql);
    await page.getByLabel('JQL clause').fill('project = WEB');
    const asked = page.waitForResponse((res) => res.url().endsWith('/api/jira/validate-jql'));
    await page.getByRole('button', { name: 'Check JQL' }).click();
    expect((await asked).status()).toBe(501); // no Jira connection on this orchestrator
    await answer.filter({ hasText: 'Jira not configured' }).waitFor();
    await page.getByRole('button', { name: 'Cancel' }).click();
  });

  it('shows an issue created through the API in Pipelines and Issues after Refresh, its title as text', async () => {
    await openPanel('Pipelines', 'Pipelines (jobs)');
    expect(await rowWith('WEB-1').count()).toBe(0);
    const created = await call('POST', '/api/tracker/issues', { teamKey: 'WEB', title: HOSTILE_TITLE, labels: ['AI-Implement'] });
    expect(created.status).toBe(201);
    const refreshed = page.waitForResponse((res) => res.url().endsWith('/api/v1/refresh'));
    await page.getByRole('button', { name: 'Refresh' }).click();
    expect((await refreshed).status()).toBe(202);
    const row = rowWith('WEB-1');
    await row.waitFor();
    expect(await row.textContent()).toContain('acme/web');
    expect(await row.textContent()).toContain('Shadow (dry run)');
    expect(await row.textContent()).toContain('#1');
    await page.locator('#app-status', { hasText: 'Refreshed' }).waitFor();

    await openPanel('Issues');
    const cell = page.locator('main td', { hasText: HOSTILE_TITLE });
    expect(await cell.textContent()).toBe(HOSTILE_TITLE);
    expect(await page.locator('main img').count()).toBe(0);
    expect(await rowWith('WEB-1').textContent()).toContain('planning pending');
    expect(await page.locator('main table').nth(1).textContent()).toContain('WEB');
    expect(dialogs).toEqual([]);
  });

  it('changes the cap and counts the blocked issue in the Blockers KPIs', async () => {
    await openPanel('Projects');
    await page.getByLabel('Concurrency cap of WEB').fill('1');
    await page.getByRole('button', { name: 'Save cap of WEB' }).click();
    await page.locator('main .callout-good', { hasText: 'WEB cap set to 1.' }).waitFor();
    expect((await call('GET', '/api/mappings')).json.mappings[0].maxInProgressAiIssues).toBe(1);

    expect(
      (await call('POST', '/api/tracker/issues', { teamKey: 'WEB', title: 'Second issue', labels: ['AI-Implement'] })).status,
    ).toBe(201);
    await openPanel('Blockers');
    await page.getByRole('button', { name: 'Refresh' }).click();
    await rowWith('WEB-2').waitFor();
    await page.locator('#app-status', { hasText: 'Refreshed' }).waitFor();
    const kpis = await page
      .locator('.kpi')
      .evaluateAll((cards) =>
        Object.fromEntries(
          cards.map((c) => [c.querySelector('.kpi-label')?.textContent, c.querySelector('.kpi-value')?.textContent]),
        ),
      );
    expect(kpis).toEqual({
      'Blocked issues': '1',
      'Teams affected': '1',
      'Blocked by concurrency cap': '1',
      'Blocked by dedup window': '0',
      'Blocked by daily budget': '0',
    });
    expect(await rowWith('WEB-2').textContent()).toContain('concurrency');
    // The embedded tracker's ticket URL is an API route (401 in a new tab): the link opens the in-app issue view.
    expect(await rowWith('WEB-2').getByRole('link', { name: 'WEB-2' }).getAttribute('href')).toMatch(/^#\/issue\/./);
  });

  it('pauses the project', async () => {
    await openPanel('Projects');
    await page.getByRole('button', { name: 'Pause WEB' }).click();
    await page.getByRole('button', { name: 'Resume WEB' }).waitFor();
    expect(await rowWith('acme/web').textContent()).toContain('paused');
    expect((await call('GET', '/api/mappings')).json.mappings[0].paused).toBe(true);
  });

  it('draws the Overview with the dispatch trend (screenshot for a look)', async () => {
    await openPanel('Overview');
    expect(await page.locator('svg.chart rect').count()).toBe(24);
    expect(await page.locator('svg.chart').getAttribute('aria-label')).toMatch(/^1 dispatch in the last 24 hours/);
    expect(await rowWith('WEB-1').textContent()).toContain('planning');
    const kpi = page.locator('.kpi', { hasText: 'Projects at cap' });
    expect(await kpi.locator('.kpi-value').textContent()).toBe('1');
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
  });

  it('lays out at 800px without sideways scrolling, focus on the heading after navigation', async () => {
    await page.setViewportSize({ width: 800, height: 900 });
    await openPanel('Issues');
    expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('H1');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(800);
    expect(await page.locator('#sidebar').isVisible()).toBe(true);
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('says "not available" when the Pipelines & steps endpoint is missing', async () => {
    await page.route('**/api/pipelines-steps', (route) =>
      route.fulfill({ status: 404, contentType: 'application/json', body: '{"error":"Not found"}' }),
    );
    await openPanel('Pipelines & steps');
    expect(await page.locator('main .panel').textContent()).toContain('not available');
    await page.unroute('**/api/pipelines-steps');
  });

  it('goes back to the login form when the token has expired (401)', async () => {
    await page.evaluate(() => sessionStorage.setItem('ai-implement.admin.token', 'expired-token'));
    await page.locator('#sidebar').getByRole('link', { name: 'Sessions', exact: true }).click();
    await page.locator('#login-form').waitFor();
    expect(await page.locator('#login-message').textContent()).toBe('Your session has expired. Sign in again.');
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
  });

  it('ran every step without a Content-Security-Policy violation', () => {
    expect(cspViolations).toEqual([]);
  });
});
