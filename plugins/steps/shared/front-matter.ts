import { parse } from 'yaml';

/**
 * A Markdown file with YAML front matter (`---` … `---`), as the target repository's
 * WORKFLOW.md and PLANNING.md are: the front matter names the model, the body is the prompt
 * template. A file without front matter is all body; unreadable front matter is ignored.
 */
export function readFrontMatter(text: string): { data: Record<string, unknown>; body: string } {
  const match = /^---[ \t]*\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/.exec(text);
  if (!match) return { data: {}, body: text };
  let data: unknown;
  try {
    data = parse(match[1] ?? '');
  } catch {
    data = undefined;
  }
  const body = text.slice(match[0].length);
  return {
    data: typeof data === 'object' && data !== null && !Array.isArray(data) ? (data as Record<string, unknown>) : {},
    body,
  };
}

/** The model id of a front matter: `model`, or `claude_model` as some repositories spell it. */
export function modelOf(data: Record<string, unknown>): string | undefined {
  for (const key of ['model', 'claude_model', 'claudeModel']) {
    const value = data[key];
    if (typeof value === 'string' && value.trim() !== '') return value.trim();
  }
  return undefined;
}
