import { err, ok, type Result } from 'neverthrow';
import type { Clock } from '../../../ports/clock.port.js';
import type { EventBus, MappingEventType } from '../../../ports/event-bus.port.js';
import type { Storage } from '../../../ports/storage.port.js';
import { applyMappingPatch, validateMappingInput, validateMappingPatch } from '../../domain/mappings.js';
import type { Mapping } from '../../domain/model.js';
import { TEMPLATE_MESSAGES } from '../../domain/prompt-template.js';
import type { PromptTemplatesService } from './prompt-templates.service.js';

export interface MappingsDeps {
  storage: Storage;
  clock: Clock;
  eventBus: EventBus;
  /** A mapping's `promptTemplate` must name a stored (or built-in) template. */
  promptTemplates: Pick<PromptTemplatesService, 'get'>;
}

export type MappingsError = { kind: 'invalid'; message: string } | { kind: 'invalidBody' } | { kind: 'teamNotFound' };

export interface MappingsService {
  /** Every mapping, ordered by team key. */
  list(): Promise<Mapping[]>;
  get(teamKey: string): Promise<Mapping | undefined>;
  /** Creates the mapping, or merges the body onto the existing one with that team key. */
  save(body: Record<string, unknown>): Promise<Result<{ mapping: Mapping; created: boolean }, MappingsError>>;
  /** Changes the concurrency cap or the paused flag (exactly one). */
  patch(teamKey: string, body: Record<string, unknown>): Promise<Result<Mapping, MappingsError>>;
  /** Resolves false when there was no such mapping. */
  remove(teamKey: string): Promise<boolean>;
}

/** Project mappings: the core's rules (core/mappings.ts) applied to what storage holds. */
export function createMappingsService({ storage, clock, eventBus, promptTemplates }: MappingsDeps): MappingsService {
  const announce = (type: MappingEventType, teamKey: string) => eventBus.publish({ type, at: clock.now(), teamKey });
  const missingTemplate = async (id: string | null | undefined): Promise<boolean> =>
    typeof id === 'string' && (await promptTemplates.get(id)).isErr();
  const templateNotFound = { kind: 'invalid', message: TEMPLATE_MESSAGES.notFound } as const;

  return {
    async list() {
      const all = await storage.mappings.list();
      return all.sort((a, b) => (a.teamKey < b.teamKey ? -1 : a.teamKey > b.teamKey ? 1 : 0));
    },

    get: (teamKey) => storage.mappings.get(teamKey),

    async save(body) {
      const teamKey = typeof body.teamKey === 'string' ? body.teamKey.trim() : undefined;
      const existing = teamKey ? await storage.mappings.get(teamKey) : undefined;
      const result = validateMappingInput(body, existing, clock.now());
      if (result.isErr()) return err({ kind: 'invalid', message: result.error });
      // Only a newly named template is checked: one deleted since does not block other changes.
      const named = result.value.promptTemplate;
      if (named !== existing?.promptTemplate && (await missingTemplate(named))) return err(templateNotFound);
      await storage.mappings.put(result.value);
      announce(existing ? 'mapping.updated' : 'mapping.created', result.value.teamKey);
      return ok({ mapping: result.value, created: existing === undefined });
    },

    async patch(teamKey, body) {
      const patch = validateMappingPatch(body);
      if (patch.isErr()) return err({ kind: 'invalid', message: patch.error });
      if ('promptTemplate' in patch.value && (await missingTemplate(patch.value.promptTemplate))) return err(templateNotFound);
      const existing = await storage.mappings.get(teamKey);
      if (!existing) return err({ kind: 'teamNotFound' });
      const updated = applyMappingPatch(existing, patch.value, clock.now());
      await storage.mappings.put(updated);
      announce('mapping.updated', teamKey);
      return ok(updated);
    },

    async remove(teamKey) {
      const deleted = await storage.mappings.delete(teamKey);
      if (deleted) announce('mapping.deleted', teamKey);
      return deleted;
    },
  };
}
