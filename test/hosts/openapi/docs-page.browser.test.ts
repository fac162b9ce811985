import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../../hosts/cli/main.js';
import { buildOpenApiDocument } from '../../../hosts/http/openapi/openapi-document.js';
import { type BrowserWorld, startBrowserWorld } from '../../browser/browser-world.js';
import { METHODS } from './openapi-helpers.js';

/** The /api/docs explorer in Debian's chromium against a real server, as an operator uses it. */

const CODE = 'docs-browser-code';
const OPERATIONS = Object.values(buildOpenApiDocument('x').paths).reduce(
  (n, item) => n + METHODS.filter((m) => item[m]).length,
  0,
);

let server: RunningServer;
let world: BrowserWorld | undefined;
let context: BrowserContext;
let page: Page;
let token: string;
const problems: string[] = [];

describe('the /api/docs explorer in chromium', () => {
  beforeAll(async () => {
    world = await startBrowserWorld(CODE);
    ({ server, token, context } = world);
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(5_000);
    // The 401 of the refused token and the 400 the test provokes are answers, not faults.
    page.on('console', (message) => {
      if (message.type() === 'error' && !/status of 40[01]\b/.test(message.text())) problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
  });

  afterAll(async () => {
    await world?.close();
  });

  it('asks for a token when the tab has none, then lists every operation by tag', async () => {
    await page.goto(`${server.url}/api/docs`);
    await page.locator('#token-panel').waitFor({ state: 'visible' });
    await page.locator('#token-input').fill('not-a-token');
    await page.locator('#token-form button').click();
    await expect.poll(() => page.locator('#token-message').textContent()).toMatch(/refused/);

    await page.locator('#token-input').fill(token);
    await page.locator('#token-form button').click();
    await page.locator('section.tag').first().waitFor();
    expect(await page.locator('#token-panel').isHidden()).toBe(true);
    expect(await page.locator('details.op').count()).toBe(OPERATIONS);
    expect(await page.locator('section.tag h2').allTextContents()).toEqual(
      expect.arrayContaining(['Projects', 'State & Metrics', 'Docs & Spec', 'Runner callbacks']),
    );
  });

  it('shows an operation’s errors and sends a request with the admin token', async () => {
    const op = page.locator('#listMappings');
    await op.locator('summary').click();
    await expect.poll(() => op.textContent()).toContain('{"error":"Unauthorized"}');
    await op.getByRole('button', { name: 'Send' }).click();
    await expect.poll(() => op.locator('.response').textContent()).toMatch(/HTTP 200/);
    expect(await op.locator('.response pre').textContent()).toContain('"mappings": []');
  });

  it('sends a body and shows the spec’s error', async () => {
    const op = page.locator('#saveMapping');
    await op.locator('summary').click();
    await op.locator('textarea').fill('{"owner":"acme"}');
    await op.getByRole('button', { name: 'Send' }).click();
    await expect.poll(() => op.locator('.response').textContent()).toMatch(/HTTP 400/);
    expect(await op.locator('.response pre').textContent()).toContain('teamKey, owner, and repo are required');
  });

  it('uses the token the /admin page keeps for the tab, with no script error or CSP violation', async () => {
    await page.reload();
    await page.locator('section.tag').first().waitFor();
    expect(await page.locator('#token-panel').isHidden()).toBe(true);
    expect(problems).toEqual([]);
  });
});
