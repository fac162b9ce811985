import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RUN_ENV } from '../../core/app/dispatch/run-environment.js';
import type { RunLaunch } from '../../ports/runner.port.js';
import { capturingShadowRunner } from '../hosts/capturing-runner.js';
import { type BrowserWorld, startBrowserWorld } from './browser-world.js';

/**
 * The live admin in Debian's chromium: one authenticated event stream keeps the open panel
 * current (a dispatch made through the API shows on an open Overview and Pipelines within 2 s,
 * no reload), the connection state is visible and a dropped stream resumes with Last-Event-ID;
 * the job view shows the steps a run reports and aborts it; the issue view shows the embedded
 * tracker's comments in the page (its ticket URL is an API route a new tab cannot open).
 * Screenshots of every panel touched, at 1440 px and 390 px, go to test-artifacts/admin-live/.
 */

const CODE = 'live-admin-browser-code';
const TOKEN_KEY = 'ai-implement.admin.token';
const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'admin-live');
const LIVE_BUDGET_MS = 2_000;

let world: BrowserWorld | undefined;
let page: Page;
let launches: RunLaunch[];
const consoleErrors: string[] = [];
const cspViolations: string[] = [];

// Browser globals used inside page.evaluate callbacks: this file is type-checked without the DOM lib.
declare const document: { documentElement: { scrollWidth: number }; activeElement: { id: string } | null };
declare const sessionStorage: { setItem(key: string, value: string): void };

// biome-ignore lint/suspicious/noExplicitAny: the tests read the API's JSON answers loosely
async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${world!.server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${world!.token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, json: await res.json() };
}

async function createIssue(title: string): Promise<string> {
  const created = await call('POST', '/api/tracker/issues', { teamKey: 'WEB', title, labels: ['AI-Implement'] });
  expect(created.status).toBe(201);
  return created.json.issue.identifier as string;
}

async function openPanel(link: string, heading = link): Promise<void> {
  await page.locator('#sidebar').getByRole('link', { name: link, exact: true }).click();
  await page.locator('main h1', { hasText: new RegExp(`^${heading.replace(/[()]/g, '\\$&')}$`) }).waitFor();
  await page.locator('main [aria-busy="true"]').waitFor({ state: 'detached' });
}

async function loaded(): Promise<void> {
  await page.locator('main [aria-busy="true"]').waitFor({ state: 'detached' });
}

/** Screenshots at 1440 px and 390 px; at 390 px the page must not scroll sideways. */
async function screenshots(name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `${name}-1440.png`), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForTimeout(50);
  expect(await page.evaluate(() => document.documentElement.scrollWidth), `${name} at 390 px`).toBeLessThanOrEqual(390);
  await page.screenshot({ path: join(ARTIFACTS, `${name}-390.png`), fullPage: true });
  await page.setViewportSize({ width: 1440, height: 900 });
}

const rowWith = (text: string) => page.locator('main table tbody tr', { hasText: text });

/** The time from `act` until `locator` shows, failing past the budget. */
async function timeUntilShown(act: () => Promise<unknown>, text: string): Promise<number> {
  const started = Date.now();
  await act();
  await rowWith(text).first().waitFor({ timeout: LIVE_BUDGET_MS });
  return Date.now() - started;
}

describe('the live admin in chromium', () => {
  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const runner = capturingShadowRunner();
    launches = runner.launches;
    world = await startBrowserWorld(
      CODE,
      { width: 1440, height: 900 },
      { RUNNER_TOKEN_SECRET: 'live-admin-runner-secret-0123456789abcdef' },
      { runnerRegistry: runner.runnerRegistry },
    );
    page = world.context.pages()[0] ?? (await world.context.newPage());
    page.setDefaultTimeout(10_000);
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
      else if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(error.message));
    const mapping = await call('POST', '/api/mappings', {
      teamKey: 'WEB',
      ticketing: 'local',
      forge: 'local',
      owner: 'acme',
      repo: 'web',
      defaultBranch: 'main',
      autoApprovePlans: false, // a finished plan waits for an operator's approval
    });
    expect(mapping.status).toBe(200);
  });

  afterAll(async () => {
    await world?.close();
  });

  it('signs in and shows the stream as live', async () => {
    await page.goto(`${world!.server.url}/admin`);
    await page.getByLabel('Access code').fill(CODE);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('main h1', { hasText: 'Overview' }).waitFor();
    await page.locator('#live-state[data-state="live"]').waitFor();
    expect(await page.locator('#live-state').textContent()).toBe('Live');
    await page.evaluate(() => {
      (globalThis as Record<string, unknown>).notReloaded = true;
    });
  });

  it('shows a dispatch made through the API on the open Overview within 2 s, KPIs and chart too', async () => {
    await loaded();
    expect(await page.locator('.kpi', { hasText: 'Running jobs' }).locator('.kpi-value').textContent()).toBe('0');
    const took = await timeUntilShown(() => createIssue('Spin the widget'), 'WEB-1');
    console.info(`Overview showed the dispatch ${took} ms after the API call`);
    expect(took).toBeLessThan(LIVE_BUDGET_MS);
    await page.locator('.kpi', { hasText: 'Running jobs' }).locator('.kpi-value', { hasText: '1' }).waitFor();
    expect(await page.locator('svg.chart').getAttribute('aria-label')).toMatch(/^1 dispatch in the last 24 hours/);
    expect(await page.evaluate(() => (globalThis as Record<string, unknown>).notReloaded)).toBe(true);
    await screenshots('overview');
  });

  it('shows the next dispatch on the open Pipelines within 2 s, keeping the filter', async () => {
    await openPanel('Pipelines', 'Pipelines (jobs)');
    await page.getByLabel('Filter').fill('WEB');
    const took = await timeUntilShown(() => createIssue('Paint the fence'), 'WEB-2');
    console.info(`Pipelines showed the dispatch ${took} ms after the API call`);
    expect(took).toBeLessThan(LIVE_BUDGET_MS);
    expect(await page.getByLabel('Filter').inputValue()).toBe('WEB');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('jobs-filter'); // focus stays where it was
    expect(await page.evaluate(() => (globalThis as Record<string, unknown>).notReloaded)).toBe(true);
    await screenshots('pipelines');
  });

  it('opens a job from its Pipelines row, and shows the steps its run reports as they come', async () => {
    await rowWith('WEB-1').getByRole('link', { name: 'planning #1' }).click();
    await page.locator('main h1', { hasText: 'WEB-1 · planning #1' }).waitFor();
    await loaded();
    expect(await page.locator('#main').textContent()).toContain('No step has reported yet.');

    const launch = launches.find((l) => l.job.identifier === 'WEB-1');
    const progressToken = launch?.env[RUN_ENV.progressToken];
    if (!progressToken) throw new Error('the WEB-1 launch has no progress token');
    const report = async (step: Record<string, unknown>) => {
      const res = await fetch(`${world!.server.url}/runner/progress`, {
        method: 'POST',
        headers: { authorization: `Bearer ${progressToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ step }),
      });
      expect(res.status).toBe(200);
    };
    await report({
      id: 'clone',
      type: 'git-clone',
      status: 'succeeded',
      started_at: '2026-01-01T00:00:01.000Z',
      finished_at: '2026-01-01T00:00:05.000Z',
      output: 'cloned acme/web at main',
    });
    await report({ id: 'plan', type: 'agent', status: 'running', started_at: new Date().toISOString() });

    const steps = page.locator('ol.steps > li');
    await steps.nth(1).waitFor({ timeout: LIVE_BUDGET_MS });
    expect(await steps.nth(0).textContent()).toContain('clone');
    expect(await steps.nth(0).textContent()).toContain('succeeded');
    expect(await steps.nth(0).textContent()).toContain('4s');
    expect(await steps.nth(1).textContent()).toContain('running');
    await steps.nth(0).getByText('Output of clone').click();
    expect(await steps.nth(0).locator('pre').textContent()).toBe('cloned acme/web at main');
    expect(await page.locator('main .facts').textContent()).toContain('running');
    expect(await page.locator('ol.events').textContent()).toContain('job.running');
    await screenshots('job-view');
  });

  it('steers the run and shows the API answer', async () => {
    await page.getByLabel('Message to the running agent').fill('use the blue paint');
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Send to the agent' }).click();
    await page.locator('.action-answer .callout-good', { hasText: 'Message queued for job' }).waitFor();
  });

  it('aborts the run from the job view: the run ends as failed and a retry is offered', async () => {
    const jobId = launches.find((l) => l.job.identifier === 'WEB-1')!.job.id;
    await page.getByLabel('Reason (optional)').fill('wrong repository');
    const questions: string[] = [];
    page.once('dialog', (dialog) => {
      questions.push(dialog.message());
      void dialog.accept();
    });
    await page.getByRole('button', { name: 'Abort run' }).click();
    await page.locator('.action-answer .callout-good', { hasText: `Aborted: job ${jobId} is failed` }).waitFor();
    expect(questions).toEqual(['Abort WEB-1 planning #1? Its session is stopped and the run is recorded as failed.']);
    expect((await call('GET', `/api/v1/attempts/${jobId}`)).json.status).toBe('failed');
    await page.locator('main .facts .badge', { hasText: 'failed' }).first().waitFor();
    expect(await page.getByRole('button', { name: 'Abort run' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Retry (back to the queue)' }).waitFor();
    expect(await page.locator('#main').textContent()).toContain('Aborted by an operator: wrong repository');

    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Retry (back to the queue)' }).click();
    await page.locator('.action-answer .callout-good', { hasText: 'WEB-1: planning_failed → triggered (retry).' }).waitFor();
  });

  it('opens the issue view from the job: stage, attempts, events, and the ticket comments in the page', async () => {
    expect((await call('POST', '/api/tracker/issues/WEB-1/comments', { body: 'Looked at it: **spin** clockwise' })).status).toBe(
      201,
    );
    await page.locator('main .facts').getByRole('link', { name: 'WEB-1' }).click();
    await page.locator('main h1', { hasText: 'WEB-1 · Spin the widget' }).waitFor();
    await loaded();
    const comments = page.locator('ol.comments pre');
    await comments.first().waitFor();
    expect(await comments.allTextContents()).toContain('Looked at it: **spin** clockwise');
    expect(await rowWith('planning #1').textContent()).toContain('failed');
    expect(await page.locator('ol.events').textContent()).toContain('issue.aborted');
    expect(await page.locator('ul.transitions').textContent()).toContain('abort · by an operator');
    await screenshots('issue-view');
  });

  it('links issues to the in-app issue view instead of the 401 API route, and jobs from Issues and Overview', async () => {
    await openPanel('Issues');
    const href = await rowWith('WEB-2').getByRole('link', { name: 'WEB-2' }).getAttribute('href');
    expect(href).toMatch(/^#\/issue\/./);
    expect(await page.locator('main a[href*="/api/tracker/"]').count()).toBe(0);
    expect(await rowWith('WEB-2').getByRole('link', { name: 'planning' }).getAttribute('href')).toMatch(/^#\/job\/./);
    await screenshots('issues');
    await openPanel('Overview');
    await rowWith('WEB-2').getByRole('link', { name: 'WEB-2' }).click();
    await page.locator('main h1', { hasText: 'WEB-2 · planning #1' }).waitFor();
    await loaded();
    await openPanel('Blockers');
    await screenshots('blockers');
  });

  it('approves a waiting plan from the job view (autoApprovePlans: false) and shows the answer', async () => {
    const launch = launches.find((l) => l.job.identifier === 'WEB-2')!;
    const result = await fetch(`${world!.server.url}/runner/result`, {
      method: 'POST',
      headers: { authorization: `Bearer ${launch.env[RUN_ENV.resultToken]}`, 'content-type': 'application/json' },
      body: JSON.stringify({ phase: 'planning', outcome: 'success', comments: [] }),
    });
    expect(result.status).toBe(200);
    await openPanel('Pipelines', 'Pipelines (jobs)');
    await rowWith('WEB-2').getByRole('link', { name: 'planning #1' }).click();
    await page.locator('main h1', { hasText: 'WEB-2 · planning #1' }).waitFor();
    const approve = page.getByRole('button', { name: 'Approve plan and implement' });
    await approve.waitFor();
    page.once('dialog', (dialog) => void dialog.accept());
    await approve.click();
    await page
      .locator('.action-answer .callout-good', { hasText: 'WEB-2: plan_complete → implementing (approve), job ' })
      .waitFor();
    const attempts = (await call('GET', `/api/v1/${launch.job.issueId}/attempts`)).json.attempts;
    expect(attempts.map((a: { phase: string }) => a.phase)).toEqual(['implementation', 'planning']);

    await page.getByLabel('Model for the next runs').fill('o4-mini');
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Set model' }).click();
    await page.locator('.action-answer .callout-good', { hasText: 'WEB-2: model set to o4-mini.' }).waitFor();
    expect((await call('GET', `/api/v1/${launch.job.issueId}`)).json.overrides.model).toBe('o4-mini');
    expect(await page.getByLabel('Model for the next runs').inputValue()).toBe('o4-mini');
  });

  it('opens the job and the issue of a pull request from its row', async () => {
    const launch = launches.find((l) => l.job.identifier === 'WEB-2' && l.job.phase === 'implementation');
    if (!launch) throw new Error('the approved plan dispatched no implementation');
    const result = await fetch(`${world!.server.url}/runner/result`, {
      method: 'POST',
      headers: { authorization: `Bearer ${launch.env[RUN_ENV.resultToken]}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        phase: 'implementation',
        outcome: 'success',
        comments: [],
        prUrl: 'https://forge.example/acme/web/pull/1',
        prNumber: 1,
      }),
    });
    expect(result.status).toBe(200);
    await openPanel('Pull requests');
    const row = rowWith('#1');
    await row.waitFor();
    expect(await row.getByRole('link', { name: 'WEB-2' }).getAttribute('href')).toMatch(/^#\/issue\/./);
    await screenshots('pulls');
    await row.getByRole('link', { name: 'implementation job' }).click();
    await page.locator('main h1', { hasText: 'WEB-2 · implementation #1' }).waitFor();
    await loaded();
    expect(await page.locator('main .facts').getByRole('link', { name: '#1' }).getAttribute('href')).toBe(
      'https://forge.example/acme/web/pull/1',
    );
  });

  it('shows the stream going down and resumes it with Last-Event-ID', async () => {
    const second = await world!.context.newPage();
    second.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
    });
    await second.addInitScript(
      ([key, token]) => sessionStorage.setItem(key as string, token as string),
      [TOKEN_KEY, world!.token],
    );
    const seen: (string | undefined)[] = [];
    await second.route('**/api/v1/events', async (route) => {
      seen.push(route.request().headers()['last-event-id']);
      if (seen.length === 1) {
        // One event, then the stream ends: the page must reconnect and say where it stopped.
        await route.fulfill({
          status: 200,
          headers: { 'content-type': 'text/event-stream' },
          body: ': connected\n\nid: 7\nevent: job.created\ndata: {"type":"job.created"}\n\n',
        });
      } else {
        await route.continue();
      }
    });
    await second.goto(`${world!.server.url}/admin#/overview`);
    await second.locator('#live-state[data-state="reconnecting"]').waitFor();
    await second.locator('#live-state[data-state="live"]').waitFor({ timeout: 5_000 });
    expect(seen.slice(0, 2)).toEqual([undefined, '7']);
    await second.close();
  });

  it('shows an operator change made elsewhere (a secret, a setting, the dedup window) on the open panel within 2 s', async () => {
    // Another operator, through the API: only the audit trail knew of these before, not the stream.
    await openPanel('Local secrets');
    expect(await rowWith('ELSEWHERE_TOKEN').count()).toBe(0);
    const secretTook = await timeUntilShown(
      () => call('POST', '/api/v1/secrets/ELSEWHERE_TOKEN', { value: 'elsewhere-value-123' }),
      'ELSEWHERE_TOKEN',
    );
    console.info(`Local secrets showed the new secret ${secretTook} ms after the API call`);
    expect(await page.content()).not.toContain('elsewhere-value-123');

    // A panel whose fields show stored values (here the region stored before it opened) is not
    // "holding unsaved text": it redraws like any other.
    expect((await call('POST', '/api/settings', { flySessionsRegion: 'iad' })).status).toBe(200);
    await openPanel('Settings');
    expect(await page.getByLabel(/Fly sessions region/).inputValue()).toBe('iad');
    const started = Date.now();
    expect((await call('POST', '/api/settings', { flySessionsRegion: 'ord' })).status).toBe(200);
    // "In force: ord", the value in force shown as code.
    await page.locator('main code', { hasText: /^ord$/ }).waitFor({ timeout: LIVE_BUDGET_MS });
    console.info(`Settings showed the new region ${Date.now() - started} ms after the API call`);
    expect(await page.getByLabel(/Fly sessions region/).inputValue()).toBe('ord');

    // The Configuration panel shows the same value in its overlay field.
    await openPanel('Configuration');
    expect(await page.locator('#overlay-FLY_SESSIONS_REGION').inputValue()).toBe('ord');
    expect((await call('POST', '/api/settings', { flySessionsRegion: 'lhr' })).status).toBe(200);
    await expect.poll(() => page.locator('#overlay-FLY_SESSIONS_REGION').inputValue(), { timeout: LIVE_BUDGET_MS }).toBe('lhr');

    await openPanel('Audit log');
    const { json } = await call('GET', '/api/dedup');
    const entry = json.entries.find((e: { identifier: string }) => e.identifier === 'WEB-1');
    expect(entry).toBeDefined();
    await page.getByRole('button', { name: 'Remove WEB-1 from the dedup window' }).waitFor();
    expect((await call('DELETE', `/api/dedup/${entry.issueId}`)).status).toBe(200);
    await page
      .getByRole('button', { name: 'Remove WEB-1 from the dedup window' })
      .waitFor({ state: 'detached', timeout: LIVE_BUDGET_MS });
    expect(await page.evaluate(() => (globalThis as Record<string, unknown>).notReloaded)).toBe(true);
  });

  it('ran without a CSP violation or a console error', () => {
    expect(cspViolations).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });
});
