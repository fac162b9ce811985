import type { RunContext } from '../../run-context.js';

/**
 * Prompt templates. `{{ issue.identifier }}`, `{{ issue.title }}`, `{{ issue.description }}`,
 * `{{ issue.url }}`, `{{ plan }}`, `{{ feedback }}`, `{{ steering }}` and `{{ branch }}` are
 * replaced; a repository's WORKFLOW.md / PLANNING.md body replaces the default template.
 * Whatever the template does not mention (the plan, a verification failure, operator
 * messages) is appended under its own heading, so a short custom template loses nothing.
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

export function renderPrompt(template: string, ctx: RunContext, values: PromptValues = {}): string {
  const fields: Record<string, string> = {
    'issue.identifier': ctx.issue.identifier,
    'issue.title': ctx.issue.title,
    'issue.description': ctx.issue.description || '(no description)',
    'issue.url': ctx.issue.url,
    plan: ctx.plan ?? '',
    feedback: values.feedback ?? '',
    steering: ctx.steering.join('\n\n'),
    branch: ctx.branch,
    diff: values.diff ?? '',
  };
  const used = new Set<string>();
  let text = template.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (_, name: string) => {
    used.add(name);
    return fields[name] ?? '';
  });
  const extra: [string, string, string][] = [
    ['plan', '## Implementation plan', fields.plan ?? ''],
    ['feedback', '## Verification failed — fix this', fields.feedback ?? ''],
    ['steering', '## Messages from the operator', fields.steering ?? ''],
  ];
  for (const [name, heading, value] of extra) {
    if (!used.has(name) && value.trim() !== '') text += `\n\n${heading}\n\n${value.trim()}`;
  }
  return text;
}
