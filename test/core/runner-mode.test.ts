import { describe, expect, it } from 'vitest';
import type { RunnerMode } from '../../core/domain/model.js';
import { RUNNER_MODES, resolveRunnerMode, resolveSetting, runnerForJob } from '../../core/domain/runner-mode.js';

describe('runner mode', () => {
  it('knows the five modes', () => {
    expect(RUNNER_MODES).toEqual(['default', 'gha', 'fly', 'local', 'shadow']);
  });

  it('uses the stored mode when the environment sets none', () => {
    expect(resolveRunnerMode({ stored: 'fly' })).toEqual({ mode: 'fly', source: 'stored', envLocked: false, stored: 'fly' });
    expect(resolveRunnerMode({})).toEqual({ mode: 'default', source: 'default', envLocked: false });
    expect(resolveRunnerMode({ env: '', stored: 'gha' })).toMatchObject({ mode: 'gha', source: 'stored' });
  });

  it('lets RUNNER_MODE win, and says so while still showing the stored value', () => {
    expect(resolveRunnerMode({ env: 'shadow', stored: 'fly' })).toEqual({
      mode: 'shadow',
      source: 'env',
      envLocked: true,
      stored: 'fly',
    });
    expect(resolveRunnerMode({ env: 'local' })).toEqual({ mode: 'local', source: 'env', envLocked: true });
  });

  it('ignores a stored value it does not know, and throws on a bad RUNNER_MODE (config validation lets none through)', () => {
    expect(resolveRunnerMode({ stored: 'warp' })).toEqual({ mode: 'default', source: 'default', envLocked: false });
    expect(() => resolveRunnerMode({ env: 'warp' })).toThrow(/RUNNER_MODE/);
  });

  it('picks the runner of a job: default follows the mapping, the rest override it', () => {
    const cases: [RunnerMode, string][] = [
      ['gha', 'github-actions'],
      ['fly', 'fly-machines'],
      ['local', 'local'],
      ['shadow', 'shadow'],
    ];
    for (const executionMode of ['github-actions', 'fly-machines'] as const) {
      expect(runnerForJob('default', { executionMode })).toBe(executionMode);
      for (const [mode, runner] of cases) expect(runnerForJob(mode, { executionMode })).toBe(runner);
    }
  });
});

describe('settings', () => {
  it('lets the environment win and says so', () => {
    expect(resolveSetting({ env: 'sessions-prod', stored: 'sessions-dev' })).toEqual({
      value: 'sessions-prod',
      source: 'env',
      envOverride: true,
      stored: 'sessions-dev',
    });
  });

  it('falls back to the stored value, then the fallback, then unset', () => {
    expect(resolveSetting({ stored: 'iad' })).toEqual({ value: 'iad', source: 'stored', envOverride: false, stored: 'iad' });
    expect(resolveSetting({ fallback: 'ord' })).toEqual({
      value: 'ord',
      source: 'default',
      envOverride: false,
      stored: undefined,
    });
    expect(resolveSetting({ env: '  ' })).toEqual({ value: undefined, source: 'unset', envOverride: false, stored: undefined });
  });
});
