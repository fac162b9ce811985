import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../../../hosts/cli/main.js';
import { buildOpenApiDocument } from '../../../hosts/http/openapi/openapi-document.js';
import { METHODS } from './openapi-helpers.js';

/** The /api/docs explorer in Debian's chromium against a real server, as an operator uses it. */

const CHROMIUM = '/usr/bin/chromium';
const CODE = 'docs-browser-code';
const quiet = { out: () => undefined, err: () => undefined };
const OPERATIONS = Object.values(buildOpenApiDocument('x').paths).reduce(
  (n, item) => n + METHODS.filter((m) => item[m]).length,
  0,
);

let server: RunningServer;
let dataDir: string;
let profileDir: string;
let context: BrowserContext;
let page: Page;
let token: string;
const problems: string[] = [];

describe('the /api/docs explorer in chromium', () => {
  beforeAll(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(`chromium not found at ${CHROMIUM}: apt-get install -y --no-install-recommends chromium`);
    dataDir = mkdtempSync(join(tmpdir(), 'ai-implement-docs-data-'));
    profileDir = mkdtempSync(join(tmpdir(), 'ai-implement-docs-profile-'));
    const started = await startServer(
      {
        PORT: '0',
        HOST: '127.0.0.1',
        ADMIN_ACCESS_CODE: CODE,
        RUNNER_MODE: 'shadow',
        STORAGE_URL: 'memory:',
        DATA_DIR: dataDir,
        POLL_INTERVAL_MS: '86400000',
      },
      quiet,
    );
    if (!started) throw new Error('the server did not start');
    server = started;
    const auth = await fetch(`${server.url}/api/auth`, { method: 'POST', body: JSON.stringify({ code: CODE }) });
    token = ((await auth.json()) as { token: string }).token;
    context = await chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(5_000);
    // The 401 of the refused token and the 400 the test provokes are answers, not faults.
    page.on('console', (message) => {
      if (message.type() === 'error' && !/status of 40[01]\b/.test(message.text())) problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
  });

  afterAll(async () => {
    await context?.close();
    await server?.close();
    for (const dir of [dataDir, profileDir]) if (dir) rmSync(dir, { recursive: true, force: true });
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
