import { err, ok, type Result } from 'neverthrow';
import type { Clock } from '../../../ports/clock.port.js';
import { collection, type Storage } from '../../../ports/storage.port.js';
import type { TemplateEngine, TemplateVariablesUse } from '../../../ports/template-engine.port.js';
import {
  BUILT_IN_PREFIX,
  type PromptTemplate,
  SAMPLE_TEMPLATE_VARIABLES,
  TEMPLATE_ID_PATTERN,
  TEMPLATE_MESSAGES,
  TEMPLATE_VARIABLES,
} from '../../domain/prompt-template.js';
import type { AuditService } from './audit.service.js';

export const PROMPT_TEMPLATES = collection<PromptTemplate>('prompt-templates');

export interface PromptTemplatesDeps {
  storage: Storage;
  clock: Clock;
  templateEngine: TemplateEngine;
  audit: Pick<AuditService, 'record'>;
  /** The built-in planning, implementation and review prompts (read-only). */
  builtInPrompts: readonly { id: string; name: string; description: string; body: string }[];
}

export type PromptTemplateError =
  | { kind: 'templateNotFound' }
  | { kind: 'invalid'; message: string }
  | { kind: 'conflict'; message: string };

/** A JSON object as the caller sent it; the use case judges each field. */
export type TemplateInput = Record<string, unknown>;

export interface TemplatePreview extends TemplateVariablesUse {
  id: string;
  /** The rendered text, or null when the render failed (`error` says why). */
  rendered: string | null;
  error?: string;
}

export interface PromptTemplatesService {
  list(): Promise<{ templates: PromptTemplate[]; variables: Record<string, string> }>;
  get(id: string): Promise<Result<PromptTemplate, PromptTemplateError>>;
  create(input: TemplateInput): Promise<Result<PromptTemplate, PromptTemplateError>>;
  update(id: string, input: TemplateInput): Promise<Result<PromptTemplate, PromptTemplateError>>;
  remove(id: string): Promise<Result<{ deleted: true; id: string }, PromptTemplateError>>;
  /**
   * What a session receives for a template override (`POST /api/v1/:id/template`): the body of
   * the template with that id, or the text itself when no template has it.
   */
  resolve(idOrText: string): Promise<string>;
  /** Renders with `variables` over the sample values. */
  preview(id: string, variables: Record<string, unknown> | undefined): Promise<Result<TemplatePreview, PromptTemplateError>>;
}

const READ_ONLY: PromptTemplateError = { kind: 'conflict', message: TEMPLATE_MESSAGES.readOnly };

/** Deep merge of plain objects: the caller's variables over the samples. */
function over(base: Record<string, unknown>, top: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(top)) {
    const under = out[key];
    const bothObjects = [under, value].every((v) => typeof v === 'object' && v !== null && !Array.isArray(v));
    out[key] = bothObjects ? over(under as Record<string, unknown>, value as Record<string, unknown>) : value;
  }
  return out;
}

/**
 * Prompt templates (`/api/v1/templates`): the built-in prompts, read-only, then the operator's,
 * kept in storage. A body the engine cannot parse is refused with the engine's message.
 */
export function createPromptTemplatesService({
  storage,
  clock,
  templateEngine,
  audit,
  builtInPrompts,
}: PromptTemplatesDeps): PromptTemplatesService {
  const builtIns: PromptTemplate[] = builtInPrompts.map((p) => ({ ...p, builtIn: true, createdAt: 0, updatedAt: 0 }));

  async function find(id: string): Promise<PromptTemplate | undefined> {
    return builtIns.find((t) => t.id === id) ?? (await storage.documents.get(PROMPT_TEMPLATES, id));
  }

  function checked(input: TemplateInput, existing?: PromptTemplate): Result<Omit<PromptTemplate, 'id'>, PromptTemplateError> {
    const name = input.name ?? existing?.name;
    const body = input.body ?? existing?.body;
    const description = input.description ?? existing?.description ?? '';
    if (typeof name !== 'string' || name.trim() === '') return err({ kind: 'invalid', message: TEMPLATE_MESSAGES.nameRequired });
    if (typeof body !== 'string' || body.trim() === '') return err({ kind: 'invalid', message: TEMPLATE_MESSAGES.bodyRequired });
    if (typeof description !== 'string') return err({ kind: 'invalid', message: TEMPLATE_MESSAGES.descriptionType });
    const problem = templateEngine.check(body);
    if (problem) return err({ kind: 'invalid', message: TEMPLATE_MESSAGES.syntax(problem) });
    const now = clock.now();
    return ok({
      name: name.trim(),
      description,
      body,
      builtIn: false,
      createdAt: existing?.createdAt ?? now,
      updatedAt: now,
    });
  }

  return {
    async list() {
      const stored = await storage.documents.list(PROMPT_TEMPLATES);
      return { templates: [...builtIns, ...stored], variables: TEMPLATE_VARIABLES };
    },

    async get(id) {
      const template = await find(id);
      return template ? ok(template) : err({ kind: 'templateNotFound' });
    },

    async create(input) {
      const id = typeof input.id === 'string' ? input.id : '';
      if (!TEMPLATE_ID_PATTERN.test(id) || id.startsWith(BUILT_IN_PREFIX)) {
        return err({ kind: 'invalid', message: TEMPLATE_MESSAGES.idFormat });
      }
      if (await find(id)) return err({ kind: 'conflict', message: TEMPLATE_MESSAGES.exists(id) });
      const fields = checked(input);
      if (fields.isErr()) return err(fields.error);
      const template = { id, ...fields.value };
      await storage.documents.put(PROMPT_TEMPLATES, id, template);
      await audit.record({ actor: 'operator', action: 'template.created', target: id, detail: { name: template.name } });
      return ok(template);
    },

    async update(id, input) {
      const existing = await find(id);
      if (!existing) return err({ kind: 'templateNotFound' });
      if (existing.builtIn) return err(READ_ONLY);
      const fields = checked(input, existing);
      if (fields.isErr()) return err(fields.error);
      const template = { id, ...fields.value };
      await storage.documents.put(PROMPT_TEMPLATES, id, template);
      const changed = (['name', 'description', 'body'] as const).filter((key) => existing[key] !== template[key]);
      await audit.record({ actor: 'operator', action: 'template.updated', target: id, detail: { changed } });
      return ok(template);
    },

    async remove(id) {
      const existing = await find(id);
      if (!existing) return err({ kind: 'templateNotFound' });
      if (existing.builtIn) return err(READ_ONLY);
      await storage.documents.delete(PROMPT_TEMPLATES, id);
      await audit.record({ actor: 'operator', action: 'template.deleted', target: id, detail: { name: existing.name } });
      return ok({ deleted: true as const, id });
    },

    async resolve(idOrText) {
      if (!TEMPLATE_ID_PATTERN.test(idOrText)) return idOrText;
      return (await find(idOrText))?.body ?? idOrText;
    },

    async preview(id, variables) {
      const template = await find(id);
      if (!template) return err({ kind: 'templateNotFound' });
      const rendered = await templateEngine.render(template.body, over(SAMPLE_TEMPLATE_VARIABLES, variables ?? {}));
      return ok(
        rendered.match(
          (r) => ({ id, rendered: r.text, used: r.used, unresolved: r.unresolved }),
          (e) => ({ id, rendered: null, used: e.used, unresolved: e.unresolved, error: e.message }),
        ),
      );
    },
  };
}
