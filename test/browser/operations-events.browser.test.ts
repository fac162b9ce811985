import { sign } from '@octokit/webhooks-methods';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BrowserWorld, startBrowserWorld } from './browser-world.js';

/**
 * Platform → Connector events and Developer → Security events in a real browser (Debian's
 * chromium, the real server in-process). What an attacker sends — a webhook body, a probe's
 * query string — reaches the page as text: no element is made from it and no script runs.
 */

const CODE = 'browser-operations-code';
const WEBHOOK_SECRET = 'browser-webhook-secret';
const HOSTILE = '<img src=x onerror=alert(1)>';
const FORGED_TOKEN = 'not-a-run-token-5f3a9c';

let world: BrowserWorld | undefined;
let context: BrowserContext;
let page: Page;
const dialogs: string[] = [];
const cspViolations: string[] = [];

// Browser globals used inside page.evaluate callbacks: this file is type-checked without the DOM lib.
declare const document: { querySelectorAll(selector: string): { length: number } };

const settle = () => new Promise((resolve) => setTimeout(resolve, 600));

beforeAll(async () => {
  world = await startBrowserWorld(
    CODE,
    { width: 1280, height: 900 },
    { GITHUB_WEBHOOK_SECRET: WEBHOOK_SECRET, RUNNER_TOKEN_SECRET: 'browser-runner-token-secret-0123456789' },
  );
  context = world.context;
  page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(5_000);
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
  });

  const url = world.server.url;
  const raw = JSON.stringify({ zen: HOSTILE, hook_id: 7 });
  const delivered = await fetch(`${url}/api/github/webhook`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-github-event': 'ping',
      'x-github-delivery': 'browser-delivery-1',
      'x-hub-signature-256': await sign(WEBHOOK_SECRET, raw),
    },
    body: raw,
  });
  expect(delivered.status).toBe(200);
  await fetch(`${url}/healthz?q=${encodeURIComponent(HOSTILE)}`);
  const forged = await fetch(`${url}/runner/progress`, {
    method: 'POST',
    headers: { authorization: `Bearer ${FORGED_TOKEN}`, 'content-type': 'application/json' },
    body: '{}',
  });
  expect(forged.status).toBe(401);
  await settle();
});

afterAll(async () => {
  await world?.close();
});

describe('the operations panels', () => {
  it('lists a delivery under Platform, shows its body as text, and replays it', async () => {
    await page.goto(`${world!.server.url}/admin`);
    await page.getByLabel('Access code').fill(CODE);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('main h1', { hasText: 'Overview' }).waitFor();
    const link = page.locator('#sidebar').getByRole('link', { name: 'Connector events', exact: true });
    expect(await link.count()).toBe(1);
    await link.click();
    const row = page.locator('main table tbody tr', { hasText: 'browser-delivery-1' });
    await row.waitFor();
    expect(await row.textContent()).toContain('verified');
    expect(await row.textContent()).toContain('ignored');

    await row.getByRole('button', { name: /Details/ }).click();
    const body = page.locator('main pre.connector-body');
    await body.waitFor();
    expect(await body.textContent()).toContain(HOSTILE);
    expect(await page.evaluate(() => document.querySelectorAll('main img').length)).toBe(0);

    await page.getByRole('button', { name: 'Replay', exact: true }).click();
    await page.getByText(/Replayed: ignored/).waitFor();
    await page.locator('main table tbody tr', { hasText: 'not_applicable' }).first().waitFor();
  });

  it('lists the probe under Developer as text, and triages it', async () => {
    await page.locator('#sidebar').getByRole('link', { name: 'Security events', exact: true }).click();
    const row = page.locator('main table tbody tr', { hasText: 'probe (script)' });
    await row.waitFor();
    expect(await row.locator('code').textContent()).toContain(HOSTILE);
    expect(await page.evaluate(() => document.querySelectorAll('main img').length)).toBe(0);

    await row.getByRole('button', { name: /to triaged$/ }).click();
    await page.getByText('Security event moved to triaged.').waitFor();
    const moved = page.locator('main table tbody tr', { hasText: 'probe (script)' });
    expect(await moved.textContent()).toContain('triaged');
    expect(await moved.getByRole('button', { name: /to archived$/ }).count()).toBe(0);

    // A refused run token's row says why, and nothing of the token.
    const refused = page.locator('main table tbody tr', { hasText: 'bad_run_token' });
    await refused.waitFor();
    expect(await refused.textContent()).toContain('malformed');
    expect(await page.locator('main#main').textContent()).not.toContain(FORGED_TOKEN);

    expect(dialogs).toEqual([]);
    expect(cspViolations).toEqual([]);
  });
});
