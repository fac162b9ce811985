import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeSlack, startFakeSlack } from '../../testing/fakes/slack/fake-slack.js';
import { type BrowserWorld, startBrowserWorld } from './browser-world.js';

/**
 * Platform → Notifications: the channels, a test message through the fake Slack, and the queue
 * showing the attempt. A Slack answer is shown as text, never as HTML. The real server in-process;
 * Debian's chromium.
 */

const CODE = 'browser-notifications-code';
let slack: FakeSlack;
let world: BrowserWorld | undefined;
let page: Page;

beforeAll(async () => {
  slack = await startFakeSlack();
  world = await startBrowserWorld(CODE, { width: 1280, height: 900 }, { SLACK_WEBHOOK_URL: slack.url });
  page = world.context.pages()[0] ?? (await world.context.newPage());
  page.setDefaultTimeout(5_000);
});

afterAll(async () => {
  await world?.close();
  await slack?.close();
});

describe('the Notifications panel', () => {
  it('sends a test message through Slack and lists it with its attempt; an unconfigured channel cannot be tested', async () => {
    await page.goto(`${world!.server.url}/admin`);
    await page.getByLabel('Access code').fill(CODE);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('main h1', { hasText: 'Overview' }).waitFor();
    await page.locator('#sidebar').getByRole('link', { name: 'Notifications', exact: true }).click();
    await page.locator('main h1', { hasText: 'Notifications' }).waitFor();
    await page.locator('main td', { hasText: 'No notifications yet.' }).waitFor();

    expect(await page.getByRole('button', { name: 'Send a test message through E-mail' }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Send a test message through Slack' }).click();
    await page.locator('main .callout-good', { hasText: 'Slack: delivered' }).waitFor();
    expect(slack.messages).toHaveLength(1);

    const row = page.locator('main table tbody tr', { hasText: 'Test notification from AI-Implement' });
    await row.waitFor();
    const text = await row.textContent();
    expect(text).toContain('delivered');
    expect(text).toContain('HTTP 200 ok');

    slack.mode = 'down';
    await page.getByRole('button', { name: 'Send a test message through Slack' }).click();
    await page.locator('main .callout-bad', { hasText: 'Slack: not delivered (HTTP 500: internal_error' }).waitFor();
    expect(await page.content()).not.toContain('fakeHookToken');
  });
});
