import type { RunContext } from '../../run-context.js';
import { liquidVariables, renderLiquidSync } from './liquid.js';

/**
 * Prompt templates, in Liquid: `{{ issue.identifier }}`, `{{ issue.title }}`,
 * `{{ issue.description }}`, `{{ issue.url }}`, `{{ mapping.repository }}`, `{{ plan }}`,
 * `{{ feedback }}`, `{{ steering }}`, `{{ branch }}`, `{{ pullRequest.url }}`, …; a repository's WORKFLOW.md / PLANNING.md body replaces the
 * default template. Whatever the template does not mention (the plan, a verification failure,
 * operator messages) is appended under its own heading, so a short custom template loses nothing.
 */
export const DEFAULT_IMPLEMENTATION_TEMPLATE = `You are implementing {{ issue.identifier }}: {{ issue.title }}

{{ issue.description }}

Issue: {{ issue.url }}

Make the change this issue asks for in this repository, with tests where the repository has
them. Leave your changes in the working tree: do not commit, push or open a pull request —
the session does that after you finish. End with a short summary of what you changed.`;

export const DEFAULT_PLANNING_TEMPLATE = `You are writing an implementation plan for {{ issue.identifier }}: {{ issue.title }}

{{ issue.description }}

Issue: {{ issue.url }}

Read the repository and write a concise, concrete implementation plan: the files to change,
the approach, the tests to add, and the risks. Do not change any files. Answer with the plan
in Markdown.`;

export const REVIEW_TEMPLATE = `Review the change on branch {{ branch }} for {{ issue.identifier }}: {{ issue.title }}.

{{ diff }}

Look for blockers only: bugs, broken behaviour, missing pieces the issue asks for, secrets in
the diff. Do not change any files. Write your findings, then end with one last line that is
exactly \`VERDICT: APPROVE\` or \`VERDICT: REQUEST_CHANGES\`.`;

export interface PromptValues {
  feedback?: string;
  diff?: string;
}

/** A prompt template the engine refused (a syntax error, an unknown variable or filter). */
export class PromptTemplateError extends Error {
  override readonly name = 'PromptTemplateError';
}

/** The variables a prompt template may use (core/domain/prompt-template.ts lists them for the API). */
export function promptVariables(ctx: RunContext, values: PromptValues = {}): Record<string, unknown> {
  return {
    issue: {
      identifier: ctx.issue.identifier,
      title: ctx.issue.title,
      description: ctx.issue.description || '(no description)',
      url: ctx.issue.url,
    },
    mapping: {
      teamKey: ctx.issue.identifier.split('-')[0] ?? '',
      // A context built by hand (a custom step's test) may carry no repository.
      repository: ctx.repo ? `${ctx.repo.owner}/${ctx.repo.repo}` : '',
      defaultBranch: ctx.repo?.defaultBranch ?? '',
    },
    plan: ctx.plan ?? '',
    feedback: values.feedback ?? '',
    steering: ctx.steering.join('\n\n'),
    branch: ctx.branch,
    diff: values.diff ?? '',
    pullRequest: { url: ctx.pullRequest?.url ?? '', number: ctx.pullRequest?.number ?? null },
  };
}

/**
 * Renders a prompt template with Liquid in strict mode (the same engine and variables as
 * `/api/v1/templates`): a typo in a variable fails with the engine's message rather than
 * becoming an empty string. Whatever the template does not mention (the plan, a verification
 * failure, operator messages) is appended under its own heading. Throws PromptTemplateError.
 */
export function renderPrompt(template: string, ctx: RunContext, values: PromptValues = {}): string {
  const variables = promptVariables(ctx, values);
  let used: Set<string>;
  let text: string;
  try {
    used = new Set(liquidVariables(template).map((path) => path.split('.')[0] ?? path));
    text = renderLiquidSync(template, variables);
  } catch (error) {
    throw new PromptTemplateError(`Prompt template error: ${error instanceof Error ? error.message : String(error)}`);
  }
  const extra: [string, string, string][] = [
    ['plan', '## Implementation plan', String(variables.plan)],
    ['feedback', '## Verification failed — fix this', String(variables.feedback)],
    ['steering', '## Messages from the operator', String(variables.steering)],
  ];
  for (const [name, heading, value] of extra) {
    if (!used.has(name) && value.trim() !== '') text += `\n\n${heading}\n\n${value.trim()}`;
  }
  return text;
}

/** The rendered prompt, or the failed step outcome carrying the engine's message. */
export function promptOrFailure(render: () => string): string | { status: 'failed'; message: string } {
  try {
    return render();
  } catch (error) {
    if (error instanceof PromptTemplateError) return { status: 'failed', message: error.message };
    throw error;
  }
}
