import { describe, expect, it } from 'vitest';
import type { RunContext } from '../../plugins/run-context.js';
import implementStep from '../../plugins/steps/implement.step.js';
import {
  DEFAULT_IMPLEMENTATION_TEMPLATE,
  DEFAULT_PLANNING_TEMPLATE,
  PromptTemplateError,
  REVIEW_TEMPLATE,
  renderPrompt,
} from '../../plugins/steps/shared/prompts.js';

const ctx = (over: Partial<RunContext> = {}): RunContext =>
  ({
    issue: { identifier: 'ENG-9', title: 'Fix login', description: 'It breaks on Safari.', url: 'http://t/ENG-9' },
    repo: { owner: 'acme', repo: 'app', forge: 'github', cloneUrl: 'x', defaultBranch: 'main' },
    branch: 'ai-implement/ENG-9',
    steering: [],
    templates: {},
    models: {},
    result: { comments: [] },
    state: {},
    caps: { maxTurns: 50, maxIterations: 3, maxJobMinutes: 90 },
    secretValues: [],
    signal: new AbortController().signal,
    ...over,
  }) as RunContext;

describe('session prompts in Liquid (the engine and variables of /api/v1/templates)', () => {
  it('renders the built-in prompts and Liquid logic with the run’s variables', () => {
    for (const template of [DEFAULT_IMPLEMENTATION_TEMPLATE, DEFAULT_PLANNING_TEMPLATE, REVIEW_TEMPLATE]) {
      expect(renderPrompt(template, ctx())).toContain('ENG-9: Fix login');
    }
    const text = renderPrompt(
      '{{ issue.identifier | downcase }} in {{ mapping.repository }}@{{ mapping.defaultBranch }}{% if pullRequest.url != "" %} PR {{ pullRequest.number }}{% endif %}',
      ctx({ pullRequest: { number: 7, url: 'https://x/pull/7' } }),
    );
    expect(text).toBe('eng-9 in acme/app@main PR 7');
  });

  it('a typo in a WORKFLOW.md body fails with the engine’s message instead of rendering empty', () => {
    expect(() => renderPrompt('Fix {{ issue.titel }}', ctx())).toThrow(PromptTemplateError);
    expect(() => renderPrompt('Fix {{ issue.titel }}', ctx())).toThrow(
      /^Prompt template error: undefined variable: issue\.titel/,
    );
    expect(() => renderPrompt('{% if %}', ctx())).toThrow(/^Prompt template error: /);
    expect(() => renderPrompt('{% include "/etc/passwd" %}', ctx())).toThrow(/ENOENT/);
  });

  it('the implement step fails the run with that message (posted as ⚠️ Implementation failed: …)', async () => {
    const agent = { run: () => Promise.reject(new Error('the agent must not run')) };
    const outcome = await implementStep.run(
      ctx({ templates: { implementation: 'Do {{ nope }}' } }),
      { agent, shell: {} } as never,
      {} as never,
    );
    expect(outcome).toEqual({
      status: 'failed',
      message: expect.stringMatching(/^Prompt template error: undefined variable: nope/),
    });
  });
});
