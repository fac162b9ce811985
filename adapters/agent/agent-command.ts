/**
 * The coding-agent command line as a template: each element one argv entry, with `{prompt}`,
 * `{model}` and `{maxTurns}` replaced. Claude Code is the default; another agent fits by
 * giving its own template (`["my-agent", "--task", "{prompt}"]`).
 */
export const CLAUDE_COMMAND: readonly string[] = [
  'claude',
  '-p',
  '{prompt}',
  '--model',
  '{model}',
  '--max-turns',
  '{maxTurns}',
  '--output-format',
  'stream-json',
  // Claude Code insists on --verbose for stream-json in print mode.
  '--verbose',
  // Headless: nobody is there to approve an edit, and the session commits what is edited.
  '--permission-mode',
  'acceptEdits',
];

export interface CommandValues {
  prompt: string;
  model?: string;
  maxTurns: number;
}

/**
 * The argv for one invocation. Without a model, the `{model}` entry is dropped together with
 * the flag right before it (`--model {model}`), so the agent falls back to its own default.
 */
export function renderCommand(template: readonly string[], values: CommandValues): string[] {
  const out: string[] = [];
  for (const part of template) {
    if (part.includes('{model}') && !values.model) {
      if (out.length > 0 && out[out.length - 1]?.startsWith('-')) out.pop();
      continue;
    }
    out.push(
      part
        .replaceAll('{prompt}', values.prompt)
        .replaceAll('{model}', values.model ?? '')
        .replaceAll('{maxTurns}', String(values.maxTurns)),
    );
  }
  return out;
}

/**
 * A template from text: a JSON array of strings, or words split on whitespace (no quoting;
 * use the JSON form when an argument has spaces). Undefined for blank or malformed text.
 */
export function parseCommandTemplate(text: string | undefined): string[] | undefined {
  const trimmed = text?.trim();
  if (!trimmed) return undefined;
  if (trimmed.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(trimmed);
      if (Array.isArray(parsed) && parsed.length > 0 && parsed.every((p) => typeof p === 'string')) return parsed;
    } catch {
      return undefined;
    }
    return undefined;
  }
  return trimmed.split(/\s+/);
}
