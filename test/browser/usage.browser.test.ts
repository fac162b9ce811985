import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../hosts/cli/main.js';
import { type BrowserWorld, startBrowserWorld } from './browser-world.js';

/**
 * The admin's Usage panel (issue 17) in chromium: spend per day per team as a chart, the budget
 * meters, the top issues by cost, the runs a budget stopped, and the budget fields of the
 * Capacity step — over usage records arranged in the server's own store.
 */

const CODE = 'usage-browser-test-code';

let world: BrowserWorld | undefined;
let server: RunningServer;
let context: BrowserContext;
let page: Page;
const cspViolations: string[] = [];

declare const document: { querySelectorAll(selector: string): Iterable<{ textContent: string | null }> };

describe('the Usage panel in chromium', () => {
  beforeAll(async () => {
    world = await startBrowserWorld(CODE, { width: 1280, height: 900 });
    ({ server, context } = world);
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(8_000);
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
    });
    const headers = { authorization: `Bearer ${world.token}`, 'content-type': 'application/json' };
    const saved = await fetch(`${server.url}/api/mappings`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        teamKey: 'WEB',
        ticketing: 'local',
        owner: 'acme',
        repo: 'web',
        defaultBranch: 'main',
        dailyBudgetUsd: 5,
      }),
    });
    expect(saved.status).toBe(200);
    const { storage } = server.orchestrator.cradle;
    const today = new Date().toISOString().slice(0, 10);
    const base = {
      issueId: 'i1',
      teamKey: 'WEB',
      phase: 'implementation' as const,
      model: 'claude-sonnet-4-5',
      day: today,
      inputTokens: 120_000,
      outputTokens: 30_000,
      cacheReadTokens: 400_000,
      cacheCreationTokens: 10_000,
      reportedAt: Date.now(),
      final: true,
      stoppedByBudget: false,
    };
    await storage.usage.record({ ...base, jobId: 'j1', identifier: 'WEB-1', costUsd: 4.5 });
    await storage.usage.record({ ...base, jobId: 'j2', identifier: 'WEB-2', costUsd: 0.75, stoppedByBudget: true });
  });

  afterAll(async () => {
    await world?.close();
  });

  it('shows spend per day per team, the budget meters, top issues and the runs a budget stopped', async () => {
    await page.goto(`${server.url}/admin`);
    await page.getByLabel('Access code').fill(CODE);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('main h1', { hasText: 'Overview' }).waitFor();
    await page.locator('#sidebar').getByRole('link', { name: 'Usage', exact: true }).click();
    await page.locator('main h1', { hasText: /^Usage$/ }).waitFor();
    await page.locator('main [aria-busy="true"]').waitFor({ state: 'detached' });

    const kpis = await page.locator('main .kpi').allTextContents();
    expect(kpis.join(' | ')).toContain('$5.25');
    const chart = page.locator('main figure.chart-figure svg[role="img"]');
    expect(await chart.getAttribute('aria-label')).toMatch(/^\$5\.25 from \d{4}-\d\d-\d\d to \d{4}-\d\d-\d\d; most on/);
    expect(await page.locator('main .chart-legend li').allTextContents()).toEqual([' WEB']);

    const meter = page.locator('main table', { hasText: 'Spent today' }).locator('tbody tr', { hasText: 'WEB' });
    expect(await meter.textContent()).toContain('reached: new runs wait');
    expect(await meter.locator('meter').getAttribute('aria-label')).toBe('Team WEB: spent of daily budget');

    const top = page.locator('main table', { hasText: 'cost the most' });
    expect(await top.locator('tbody tr').first().textContent()).toContain('WEB-1');
    const stopped = page.locator('main table', { hasText: 'a budget stopped' });
    expect(await stopped.locator('tbody tr').allTextContents()).toEqual([expect.stringContaining('WEB-2')]);
    expect(cspViolations).toEqual([]);
  });

  it('has the budget fields in the Capacity step, each labelled', async () => {
    await page.locator('#sidebar').getByRole('link', { name: 'Projects', exact: true }).click();
    await page.locator('main [aria-busy="true"]').waitFor({ state: 'detached' });
    await page.getByRole('button', { name: '+ New project' }).click();
    await page.getByRole('button', { name: 'Capacity' }).click();
    for (const name of ['maxCostUsd', 'maxTokens', 'dailyBudgetUsd']) expect(await page.getByLabel(name).count()).toBe(1);
  });
});
