/** A prompt template (`/api/v1/templates`): Liquid text rendered with the run's variables. */
export interface PromptTemplate {
  /** URL-safe: lowercase letters, digits, dashes and underscores. Built-ins start with `builtin-`. */
  id: string;
  name: string;
  description: string;
  body: string;
  /** True for the built-in defaults: listed, copyable, never changed or deleted. */
  builtIn: boolean;
  createdAt: number;
  updatedAt: number;
}

export const TEMPLATE_ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;
export const BUILT_IN_PREFIX = 'builtin-';

/**
 * The variables a template may use, for the schema and the preview's defaults: an issue,
 * its mapping, the plan, the verification feedback, operator messages and the pull request
 * (plugins/steps/shared/prompts.ts gives the session's run the same ones).
 */
export const TEMPLATE_VARIABLES: Record<string, string> = {
  'issue.identifier': 'The issue key, e.g. ENG-123',
  'issue.title': 'The issue title',
  'issue.description': 'The issue description (Markdown)',
  'issue.url': 'The issue in its tracker',
  'mapping.teamKey': 'The project mapping’s team key',
  'mapping.repository': 'owner/repo of the mapping',
  'mapping.defaultBranch': 'The repository’s default branch',
  plan: 'The approved implementation plan (Markdown), empty before planning',
  feedback: 'What the last verification reported, when it failed',
  steering: 'Messages from the operator',
  branch: 'The working branch',
  diff: 'The change under review (review template)',
  'pullRequest.url': 'The pull request, once opened',
  'pullRequest.number': 'The pull request number, once opened',
};

/** Sample values a preview renders with when the caller gives none. */
export const SAMPLE_TEMPLATE_VARIABLES = {
  issue: {
    identifier: 'ENG-123',
    title: 'Add a dark mode toggle',
    description: 'Users want a dark mode. Add a toggle to the settings page.',
    url: 'https://linear.app/example/issue/ENG-123',
  },
  mapping: { teamKey: 'ENG', repository: 'example/app', defaultBranch: 'main' },
  plan: '1. Add the toggle\n2. Persist the choice',
  feedback: '',
  steering: '',
  branch: 'ai-implement/eng-123',
  diff: '',
  pullRequest: { url: 'https://github.com/example/app/pull/7', number: 7 },
};

/** The templates API's messages (400 and 409). */
export const TEMPLATE_MESSAGES = {
  notFound: 'Template not found',
  idFormat: `id must be lowercase letters, digits, dashes or underscores (at most 64), not starting with ${BUILT_IN_PREFIX}`,
  nameRequired: 'name is required',
  bodyRequired: 'body is required',
  descriptionType: 'description must be a string',
  syntax: (engineMessage: string) => `Template syntax error: ${engineMessage}`,
  exists: (id: string) => `Template ${id} already exists`,
  readOnly: 'Built-in templates are read-only: copy one into a new template',
} as const;
