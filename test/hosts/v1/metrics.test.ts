import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type FakeSlack, startFakeSlack } from '../../../testing/fakes/slack/fake-slack.js';
import { heldShadowRunner } from '../capturing-runner.js';
import { ACCESS_CODE, type Harness, startHarness } from '../harness.js';
import { type ParsedFamily, parseExposition, sampleValue } from './prometheus-parser.js';
import { localMapping, SHADOW, seedIssue } from './v1-helpers.js';

let h: Harness | undefined;
let slack: FakeSlack | undefined;
afterEach(async () => {
  await h?.close();
  await slack?.close();
  h = undefined;
  slack = undefined;
});

async function scrape(harness: Harness): Promise<{ text: string; families: Map<string, ParsedFamily> }> {
  const res = await harness.call('GET', '/metrics');
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
  const text = await res.text();
  return { text, families: parseExposition(text) };
}

/** scripts/ensure-test-tools.sh puts promtool in .tools/bin when the machine has none. */
const PROMTOOL = existsSync('.tools/bin/promtool') ? '.tools/bin/promtool' : 'promtool';
const hasPromtool = spawnSync(PROMTOOL, ['--version'], { stdio: 'ignore' }).status === 0;

describe('GET /metrics', () => {
  it('is public (a scraper cannot log in), with or without the admin enabled, and valid from the start', async () => {
    for (const env of [SHADOW, {}]) {
      h = await startHarness('memory', env);
      const { families } = await scrape(h);
      expect(sampleValue(families, 'ai_implement_reconcile_cycles_total')).toBe(0);
      expect(sampleValue(families, 'ai_implement_job_outcomes_total', { status: 'failed' })).toBe(0);
      expect(sampleValue(families, 'ai_implement_mappings')).toBe(0);
      expect(sampleValue(families, 'ai_implement_jobs', { phase: 'planning', status: 'running' })).toBe(0);
      for (const family of families.values()) expect(family.help, family.name).toBeTruthy();
      await h.close();
      h = undefined;
    }
  });

  it('counts a shadow dispatch, the cycle, the caps and dedup, and a job outcome — with no ticket text or secret', async () => {
    h = await startHarness('sqlite', SHADOW, heldShadowRunner());
    const token = await h.login();
    await localMapping(h, token, { maxInProgressAiIssues: 2 });
    const issue = await seedIssue(h, { title: 'Secret project codename', priority: 1, labels: ['AI-Implement'] });

    const report = await h.orchestrator.cradle.reconcile.request();
    expect(report.dispatched).toHaveLength(1);
    const { text, families } = await scrape(h);
    const v = (family: string, labels: Record<string, string> = {}, name?: string) => sampleValue(families, family, labels, name);

    expect(v('ai_implement_dispatches_total', { phase: 'planning', runner: 'shadow' })).toBe(1);
    expect(v('ai_implement_reconcile_cycles_total')).toBe(1);
    expect(v('ai_implement_jobs', { phase: 'planning', status: 'dispatched' })).toBe(1);
    expect(v('ai_implement_jobs', { phase: 'implementation', status: 'dispatched' })).toBe(0);
    expect(v('ai_implement_mapping_in_progress', { team_key: 'LOC' })).toBe(1);
    expect(v('ai_implement_mapping_cap', { team_key: 'LOC' })).toBe(2);
    expect(v('ai_implement_dedup_entries')).toBe(1);
    expect(v('ai_implement_mappings')).toBe(1);
    expect(v('ai_implement_mappings_paused')).toBe(0);
    expect(v('ai_implement_reconcile_cycle_duration_seconds', {}, 'ai_implement_reconcile_cycle_duration_seconds_count')).toBe(1);
    for (const leak of [issue.title, issue.identifier, issue.id, ACCESS_CODE, 'acme']) expect(text).not.toContain(leak);

    await h.orchestrator.cradle.jobOutcome.record(report.dispatched[0]!.jobId, { type: 'failed', error: 'x', at: h.clock.now() });
    expect((await h.call('PATCH', '/api/mappings/LOC', { token, body: { paused: true } })).status).toBe(200);
    const after = (await scrape(h)).families;
    expect(sampleValue(after, 'ai_implement_job_outcomes_total', { status: 'failed' })).toBe(1);
    expect(sampleValue(after, 'ai_implement_job_outcomes_total', { status: 'completed' })).toBe(0);
    expect(sampleValue(after, 'ai_implement_jobs', { phase: 'planning', status: 'failed' })).toBe(1);
    expect(sampleValue(after, 'ai_implement_mapping_in_progress', { team_key: 'LOC' })).toBe(0);
    expect(sampleValue(after, 'ai_implement_mappings_paused')).toBe(1);
  });

  it('counts reconcile errors per team and webhook receipts by source and status', async () => {
    h = await startHarness('memory', SHADOW);
    const token = await h.login();
    // A Linear mapping without LINEAR_API_KEY fails to fetch in every cycle.
    await h.call('POST', '/api/mappings', {
      token,
      body: { teamKey: 'ENG', ticketing: 'linear', owner: 'acme', repo: 'app', defaultBranch: 'main' },
    });
    await h.orchestrator.cradle.reconcile.request();
    await h.orchestrator.cradle.reconcile.request();
    const linear = await h.call('POST', '/webhooks/linear', { body: { type: 'Issue' } });
    const github = await h.call('POST', '/api/github/webhook', { body: {} });

    const { families } = await scrape(h);
    expect(sampleValue(families, 'ai_implement_reconcile_cycles_total')).toBe(2);
    expect(sampleValue(families, 'ai_implement_reconcile_errors_total', { team_key: 'ENG' })).toBe(2);
    expect(sampleValue(families, 'ai_implement_webhook_receipts_total', { source: 'linear', code: String(linear.status) })).toBe(
      1,
    );
    expect(sampleValue(families, 'ai_implement_webhook_receipts_total', { source: 'github', code: String(github.status) })).toBe(
      1,
    );
    expect(families.get('ai_implement_webhook_receipts_total')?.samples).toHaveLength(2);
  });

  it('passes promtool check metrics, the notification counters included', async () => {
    if (!hasPromtool) throw new Error('promtool is required by this test and was not found (run scripts/ensure-test-tools.sh)');
    slack = await startFakeSlack();
    h = await startHarness('memory', { ...SHADOW, SLACK_WEBHOOK_URL: slack.url });
    const token = await h.login();
    await localMapping(h, token);
    await seedIssue(h, { title: 't', labels: ['AI-Implement'] });
    await h.orchestrator.cradle.reconcile.request();
    const { cradle } = h.orchestrator;
    await cradle.notifications.notify({
      kind: 'circuit.opened',
      at: h.clock.now(),
      title: 'Linear is refusing calls',
      text: 'x',
      links: [],
    });
    await cradle.notificationWorker.run();
    const { text, families } = await scrape(h);
    expect(
      sampleValue(families, 'ai_implement_notifications_total', { channel: 'slack', kind: 'circuit.opened', outcome: 'sent' }),
    ).toBe(1);
    const dir = mkdtempSync(join(tmpdir(), 'metrics-'));
    try {
      writeFileSync(join(dir, 'metrics.txt'), text);
      execFileSync('sh', ['-c', `${PROMTOOL} check metrics < ${join(dir, 'metrics.txt')}`]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
