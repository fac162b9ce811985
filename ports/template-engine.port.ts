import type { Result } from 'neverthrow';

/** What a render read: the variables (dot paths) it used and those the variables given could not resolve. */
export interface TemplateVariablesUse {
  used: string[];
  unresolved: string[];
}

export interface TemplateRendering extends TemplateVariablesUse {
  text: string;
}

/**
 * TemplateEngine — renders prompt templates (Liquid in adapters/templates). Strict: an unknown
 * variable or filter fails the render with the engine's message; templates never read files.
 */
export interface TemplateEngine {
  /** The engine's message when `source` does not parse, else undefined. */
  check(source: string): string | undefined;
  render(
    source: string,
    variables: Record<string, unknown>,
  ): Promise<Result<TemplateRendering, TemplateVariablesUse & { message: string }>>;
}
