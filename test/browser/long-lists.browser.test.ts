import type { Page, Response } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BrowserWorld, startBrowserWorld } from './browser-world.js';

/**
 * The admin with 2,100 issues in chromium: Issues and Blockers read and draw a page at a time
 * (a filter and a pager to reach the rest), Overview and Runners read only the counts they
 * show, and a live redraw keeps the operator's page. Before, each of those panels fetched the
 * whole list (0.9 MB) and drew every row (27,000 elements).
 */

const CODE = 'long-lists-code';
const ISSUES = 2_100;
const CAP = 2;
const TOKEN_KEY = 'ai-implement.admin.token';

declare const sessionStorage: { setItem(key: string, value: string): void };

let world: BrowserWorld | undefined;
let page: Page;
const problems: string[] = [];

/** Opens a panel on a fresh load of the page; resolves with the milliseconds until its rows are drawn. */
async function openPanel(id: string): Promise<number> {
  await page.goto('about:blank');
  const began = Date.now();
  await page.goto(`${world?.server.url}/admin#/${id}`, { waitUntil: 'domcontentloaded' });
  await page.locator('main .panel-head h1').waitFor();
  await page.locator('main [aria-busy="true"]').waitFor({ state: 'detached' });
  return Date.now() - began;
}

/** The JSON answers to one API path (any query) while `work` runs. */
async function answersTo(path: string, work: () => Promise<unknown>): Promise<Response[]> {
  const seen: Response[] = [];
  const listen = (res: Response) => {
    if (new URL(res.url()).pathname === path) seen.push(res);
  };
  page.on('response', listen);
  try {
    await work();
  } finally {
    page.off('response', listen);
  }
  return seen;
}

const pagerText = () => page.locator('main .pager').first().textContent();

describe('the admin with 2,100 issues', () => {
  beforeAll(async () => {
    world = await startBrowserWorld(CODE, { width: 1440, height: 900 });
    const { server, token } = world;
    const mapping = await fetch(`${server.url}/api/mappings`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: JSON.stringify({
        teamKey: 'BIG',
        ticketing: 'local',
        forge: 'local',
        owner: 'acme',
        repo: 'big',
        defaultBranch: 'main',
        maxInProgressAiIssues: CAP,
      }),
    });
    expect(mapping.status).toBe(200);
    const { tracker } = server.orchestrator.cradle;
    const t0 = Date.parse('2026-01-01T00:00:00Z');
    for (let i = 1; i <= ISSUES; i++) {
      (
        await tracker.create({ teamKey: 'BIG', title: `Load issue ${i}`, labels: ['AI-Implement'], createdAt: t0 + i * 1000 })
      )._unsafeUnwrap();
    }
    // One cycle: the cap's two are dispatched (and held in flight), the rest wait at the cap.
    await fetch(`${server.url}/api/v1/refresh`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    page = world.context.pages()[0] ?? (await world.context.newPage());
    page.setDefaultTimeout(15_000); // two cores shared with other work
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    await page.goto(`${server.url}/admin`);
    await page.evaluate(([key, value]) => sessionStorage.setItem(key as string, value as string), [TOKEN_KEY, token]);
  }, 120_000);

  afterAll(async () => {
    await world?.close();
  });

  it('Issues: the first 100 of 2,100, newest first, with a pager and a filter that asks the server', async () => {
    let ms = 0;
    const answers = await answersTo('/api/issues', async () => {
      ms = await openPanel('issues');
    });
    console.info(`Issues with ${ISSUES} issues: first render in ${ms} ms`);
    expect(await page.locator('main h2', { hasText: `Issues (${ISSUES})` }).count()).toBe(1);
    expect(await page.locator('main table').first().locator('tbody tr').count()).toBe(100);
    expect(await page.locator('main tbody tr').first().textContent()).toContain(`BIG-${ISSUES}`);
    expect(await pagerText()).toContain(`1–100 of ${ISSUES}`);
    // One page travelled, not the whole list.
    expect(answers.length).toBe(1);
    expect((await answers[0]!.body()).length).toBeLessThan(100_000);

    await page.getByRole('button', { name: 'Next' }).click();
    await page.locator('main .pager', { hasText: `101–200 of ${ISSUES}` }).waitFor();
    expect(await page.locator('main tbody tr').first().textContent()).toContain(`BIG-${ISSUES - 100}`);

    await page.getByLabel('Filter').fill('load issue 1234');
    await page.locator('main h2', { hasText: 'Issues (1)' }).waitFor();
    expect(await page.locator('main table').first().locator('tbody tr').count()).toBe(1);
    expect(await page.locator('main tbody tr').first().textContent()).toContain('BIG-1234');
    expect(await page.locator('main .pager').count()).toBe(0);
  });

  it('keeps the page on a live redraw', async () => {
    await openPanel('issues');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.locator('main .pager', { hasText: '101–200' }).waitFor();
    const redrawn = page.waitForResponse((res) => new URL(res.url()).pathname === '/api/issues');
    // An event on the stream: the open panel redraws in place.
    world!.server.orchestrator.cradle.eventBus.publish({ type: 'mapping.updated', at: Date.now(), teamKey: 'BIG' });
    expect(new URL((await redrawn).url()).searchParams.get('offset')).toBe('100');
    expect(await pagerText()).toContain(`101–200 of ${ISSUES}`);
  });

  it('Blockers: every blocked issue counted, the first 100 drawn', async () => {
    const answers = await answersTo('/api/blockers', () => openPanel('blockers'));
    const blocked = ISSUES - CAP;
    expect(await page.locator('.kpi', { hasText: 'Blocked issues' }).textContent()).toContain(String(blocked));
    expect(await page.locator('main tbody tr').count()).toBe(100);
    expect(await pagerText()).toContain(`1–100 of ${blocked}`);
    expect((await answers[0]!.body()).length).toBeLessThan(100_000);
    await page.getByRole('button', { name: 'Next' }).click();
    await page.locator('main .pager', { hasText: `101–200 of ${blocked}` }).waitFor();
  });

  it('Blockers: says which mappings are held back whole (a tracker rate limited or down)', async () => {
    // The API's `mappings` part, as a tracker failure would fill it (faked on the wire, once).
    const held = {
      mappings: [
        { mapping: 'BIG', teamKey: 'BIG', reason: 'rate-limited', message: 'Local tracker rate limited until 17:42 UTC' },
      ],
      kpis: { totalBlocked: 0, teamsAffected: 0, blockedByConcurrency: 0, blockedByDedup: 0, blockedByBudget: 0 },
      blockers: [],
    };
    await page.route('**/api/blockers?*', (route) => route.fulfill({ status: 200, json: held }), { times: 1 });
    await openPanel('blockers');
    expect(await page.locator('main .callout').allTextContents()).toContain(
      'BIG: Local tracker rate limited until 17:42 UTC. No issue of it is picked up meanwhile.',
    );
  });

  it('Issues: names each mapping whose tracker failed above the table (its issues are missing)', async () => {
    // The API's `errors` part, as a failed tracker fills it (faked on the wire, once).
    const failed = {
      issues: [],
      total: 0,
      inProgress: [{ teamKey: 'BIG', count: 0, cap: CAP }],
      errors: [{ teamKey: 'BIG', error: 'Local: no answer within 12 s' }],
    };
    await page.route('**/api/issues?*', (route) => route.fulfill({ status: 200, json: failed }), { times: 1 });
    await openPanel('issues');
    expect(await page.locator('main .callout').allTextContents()).toContain('BIG: issues missing — Local: no answer within 12 s');
  });

  it('Audit log: a dedup window of 2,100 dispatches is drawn 100 at a time, with a filter', async () => {
    // As many issues dispatched in 24 hours as there are (faked on the wire: the held runner here dispatches two).
    const at = Date.parse('2026-01-02T00:00:00Z');
    const entries = Array.from({ length: ISSUES }, (_, i) => ({
      issueId: `id-${i + 1}`,
      identifier: `BIG-${ISSUES - i}`,
      title: `Load issue ${ISSUES - i}`,
      teamKey: 'BIG',
      phase: 'planning',
      dispatchedAt: new Date(at - i * 1000).toISOString(),
      expiresAt: new Date(at + 86_400_000 - i * 1000).toISOString(),
    }));
    await page.route('**/api/dedup', (route) => route.fulfill({ status: 200, json: { entries } }));
    try {
      await openPanel('audit');
      const dedup = page.locator('main section', { hasText: 'Dedup window' });
      await dedup.locator('tbody tr').first().waitFor();
      expect(await dedup.locator('tbody tr').count()).toBe(100);
      expect(await dedup.locator('.pager').textContent()).toContain(`1–100 of ${ISSUES}`);
      await dedup.getByRole('button', { name: 'Older' }).click();
      await dedup.locator('.pager', { hasText: `101–200 of ${ISSUES}` }).waitFor();
      expect(await dedup.locator('tbody tr').first().textContent()).toContain(`BIG-${ISSUES - 100}`);
      await dedup.getByLabel('Filter').fill('issue 777');
      await dedup.locator('tbody tr', { hasText: 'BIG-777' }).waitFor();
      expect(await dedup.locator('tbody tr').count()).toBe(1);
    } finally {
      await page.unroute('**/api/dedup');
    }
  });

  it('Overview and Runners read the in-progress counts, not the issues', async () => {
    for (const id of ['overview', 'runners']) {
      const answers = await answersTo('/api/issues', () => openPanel(id));
      expect(answers.length, id).toBeGreaterThan(0);
      for (const answer of answers) {
        const body = (await answer.json()) as { issues: unknown[]; inProgress: { count: number }[] };
        expect(body.issues, id).toEqual([]);
        expect(body.inProgress, id).toEqual([{ teamKey: 'BIG', count: CAP, cap: CAP }]);
      }
    }
    expect(await page.locator('.kpi', { hasText: 'Capacity' }).textContent()).toContain(`${CAP} / ${CAP}`);
  });

  it('ran without a console error', () => {
    expect(problems).toEqual([]);
  });
});
