import { describe, expect, it } from 'vitest';
import {
  AI_LABELS,
  advanceIssue,
  issueEventForFinishedJob,
  jiraStatusForStage,
  linearLabelsForStage,
  STAGE_TABLE,
  STAGES,
  stageFromJiraStatus,
  stageFromLinearLabels,
  TRIGGER_LABEL,
} from '../../core/domain/lifecycle.js';
import type { Stage } from '../../core/domain/model.js';
import { job } from './fixtures.js';

describe('the lifecycle table', () => {
  it('gives each stage its display name, Linear label and Jira status as the spec does', () => {
    expect(STAGES.map((s) => [STAGE_TABLE[s].displayName, STAGE_TABLE[s].linearLabel ?? null, jiraStatusForStage(s)])).toEqual([
      ['Triggered', 'AI-Implement', 'Ready'],
      ['Planning', 'AI-Planning', 'Planning'],
      ['Plan complete', 'Plan-Complete', 'Plan Approved'],
      ['Implementing', 'AI-Working', 'Implementing'],
      ['PR opened', 'Ready for Review', 'PR Ready'],
      ['Planning failed', null, 'Planning Failed'],
      ['Implementation failed', null, 'Implementation Failed'],
    ]);
    expect(TRIGGER_LABEL).toBe('AI-Implement');
    expect(AI_LABELS).toEqual(['AI-Planning', 'Plan-Complete', 'AI-Working', 'Ready for Review']);
  });

  it('reads every stage back from its Jira status, whatever the case', () => {
    for (const s of STAGES) expect(stageFromJiraStatus(jiraStatusForStage(s))).toBe(s);
    expect(stageFromJiraStatus(' plan approved ')).toBe('plan_complete');
    expect(stageFromJiraStatus('Done')).toBeUndefined();
  });
});

describe('Linear labels', () => {
  it('replaces the AI label, keeps the trigger and every other label in place', () => {
    const labels = ['bug', 'AI-Implement', 'AI-Planning', 'frontend'];
    expect(linearLabelsForStage(labels, 'implementing')).toEqual(['bug', 'AI-Implement', 'frontend', 'AI-Working']);
    expect(linearLabelsForStage(labels, 'triggered')).toEqual(['bug', 'AI-Implement', 'frontend']);
    expect(linearLabelsForStage(['bug'], 'triggered')).toEqual(['bug', 'AI-Implement']);
  });

  it('removes the AI labels and the trigger on a failed stage, keeping the rest', () => {
    const labels = ['bug', 'AI-Implement', 'AI-Working', 'Plan-Complete'];
    expect(linearLabelsForStage(labels, 'implementation_failed')).toEqual(['bug']);
    expect(linearLabelsForStage(labels, 'planning_failed')).toEqual(['bug']);
  });

  it('round-trips every non-failed stage through the labels', () => {
    for (const s of STAGES) {
      const labels = linearLabelsForStage(['x', 'AI-Implement'], s);
      expect(stageFromLinearLabels(labels)).toBe(s === 'planning_failed' || s === 'implementation_failed' ? undefined : s);
    }
  });

  it('is a no-op for the stage the labels already show, and never duplicates a label', () => {
    const at = linearLabelsForStage(['AI-Implement', 'x'], 'planning');
    expect(linearLabelsForStage(at, 'planning')).toEqual(at);
    expect(linearLabelsForStage(['x', 'x', 'AI-Working', 'AI-Working'], 'implementing')).toEqual(['x', 'AI-Working']);
  });

  it('reads the furthest AI label when a move was half applied', () => {
    expect(stageFromLinearLabels(['AI-Implement', 'AI-Planning', 'AI-Working'])).toBe('implementing');
    expect(stageFromLinearLabels(['bug'])).toBeUndefined();
  });
});

describe('advanceIssue', () => {
  it('moves a triggered issue to planning or implementing on dispatch', () => {
    expect(advanceIssue('triggered', { type: 'dispatched', phase: 'planning' })).toEqual({
      stage: 'planning',
      effects: [{ kind: 'move-stage', stage: 'planning' }],
      ignored: false,
    });
    expect(advanceIssue('triggered', { type: 'dispatched', phase: 'implementation' }).stage).toBe('implementing');
    expect(advanceIssue('plan_complete', { type: 'dispatched', phase: 'implementation' }).stage).toBe('implementing');
  });

  it('waits at Plan complete without auto-approval, and dispatches implementation with it', () => {
    expect(advanceIssue('planning', { type: 'planning-succeeded', autoApprovePlans: false })).toEqual({
      stage: 'plan_complete',
      effects: [{ kind: 'move-stage', stage: 'plan_complete' }],
      ignored: false,
    });
    expect(advanceIssue('planning', { type: 'planning-succeeded', autoApprovePlans: true })).toEqual({
      stage: 'plan_complete',
      effects: [
        { kind: 'move-stage', stage: 'plan_complete' },
        { kind: 'dispatch', phase: 'implementation' },
      ],
      ignored: false,
    });
  });

  it('fails planning and implementation with the spec comment', () => {
    expect(advanceIssue('planning', { type: 'planning-failed', reason: 'Reached max turns (50)' }).effects).toEqual([
      { kind: 'move-stage', stage: 'planning_failed' },
      { kind: 'comment', body: '⚠️ Planning failed: Reached max turns (50)' },
    ]);
    expect(
      advanceIssue('implementing', { type: 'implementation-failed', reason: 'git clone failed (exit 128)' }).effects,
    ).toEqual([
      { kind: 'move-stage', stage: 'implementation_failed' },
      { kind: 'comment', body: '⚠️ Implementation failed: git clone failed (exit 128)' },
    ]);
  });

  it('opens the PR stage with a link comment', () => {
    const r = advanceIssue('implementing', { type: 'implementation-succeeded', prUrl: 'https://gh/pr/4', prNumber: 4 });
    expect(r.stage).toBe('pr_opened');
    expect(r.effects).toEqual([
      { kind: 'move-stage', stage: 'pr_opened' },
      { kind: 'comment', body: '🔗 Pull request #4 opened: https://gh/pr/4' },
    ]);
  });

  it('ignores stale and duplicate events, never going backwards', () => {
    const stale: [Stage, Parameters<typeof advanceIssue>[1]][] = [
      ['planning', { type: 'dispatched', phase: 'planning' }],
      ['implementing', { type: 'dispatched', phase: 'planning' }],
      ['pr_opened', { type: 'dispatched', phase: 'implementation' }],
      ['implementing', { type: 'planning-succeeded', autoApprovePlans: true }],
      ['pr_opened', { type: 'implementation-failed', reason: 'late' }],
      ['pr_opened', { type: 'implementation-succeeded', prUrl: 'u' }],
      ['planning_failed', { type: 'planning-failed', reason: 'again' }],
      ['pr_opened', { type: 'dispatched', phase: 'gap-analysis' }],
    ];
    for (const [stage, event] of stale) expect(advanceIssue(stage, event)).toEqual({ stage, effects: [], ignored: true });
  });

  it('lets a re-run leave a failed stage', () => {
    expect(advanceIssue('planning_failed', { type: 'dispatched', phase: 'planning' }).stage).toBe('planning');
    expect(advanceIssue('implementation_failed', { type: 'dispatched', phase: 'implementation' }).stage).toBe('implementing');
  });
});

describe('issueEventForFinishedJob', () => {
  it('turns a job outcome into the lifecycle event', () => {
    expect(issueEventForFinishedJob(job({ id: 'j', issueId: 'i', phase: 'planning', status: 'completed' }), true)).toEqual({
      type: 'planning-succeeded',
      autoApprovePlans: true,
    });
    expect(
      issueEventForFinishedJob(job({ id: 'j', issueId: 'i', phase: 'planning', status: 'failed', error: 'e' }), true),
    ).toEqual({
      type: 'planning-failed',
      reason: 'e',
    });
    expect(
      issueEventForFinishedJob(
        job({ id: 'j', issueId: 'i', phase: 'implementation', status: 'review_failed', prUrl: 'u', prNumber: 2 }),
        false,
      ),
    ).toEqual({ type: 'implementation-succeeded', prUrl: 'u', prNumber: 2 });
    expect(
      issueEventForFinishedJob(
        job({ id: 'j', issueId: 'i', phase: 'implementation', status: 'timed_out', timedOutReason: 'machine_timeout' }),
        false,
      ),
    ).toEqual({ type: 'implementation-failed', reason: 'timed out (machine_timeout)' });
    expect(
      issueEventForFinishedJob(job({ id: 'j', issueId: 'i', phase: 'implementation', status: 'running' }), false),
    ).toBeUndefined();
    expect(
      issueEventForFinishedJob(job({ id: 'j', issueId: 'i', phase: 'gap-analysis', status: 'completed' }), false),
    ).toBeUndefined();
  });
});
