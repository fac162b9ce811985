import { z } from 'zod';
import { AUDIT_MAX_LIMIT } from '../../../core/domain/audit.js';
import { millis } from './components.schema.js';
import { wholeNumber } from './operations-events.schema.js';

/** `ConfigKeyView` of core/app/operations/config-overlay.service.ts. */
const ConfigKeyView = z.object({
  key: z.string().describe('The environment variable'),
  value: z.string().nullable().describe('The effective value; secrets are masked, null when unset'),
  source: z.enum(['default', 'env', 'overlay']),
  apply: z.enum(['live', 'restart']).describe('Whether a change takes effect at once or at the next start'),
  secret: z.boolean(),
  overlayable: z.boolean().describe('False for secrets and the storage location: the environment only'),
  envLocked: z.boolean().describe('The environment variable beats the overlay'),
  restartRequired: z.boolean().describe('The effective value differs from the running process’s'),
  overlayValue: z.string().optional().describe('The overlay’s value while the environment wins over it'),
  note: z.string().optional(),
});

export const EffectiveConfig = z
  .object({
    config: z.record(z.string(), z.string().nullable()).describe('Key → effective value (defaults ← env ← overlay)'),
    keys: z.array(ConfigKeyView),
  })
  .meta({ id: 'EffectiveConfig' });

export const OverlayView = z
  .object({
    overlay: z.record(z.string(), z.string()).describe('The stored overlay: key → value'),
    updatedAt: millis().nullable(),
    envLocked: z
      .array(z.object({ key: z.string(), message: z.string() }))
      .describe('Overlay keys the environment beats: saved, without effect while the variable is set'),
    restartRequired: z.array(z.string()).describe('Overlay keys that take effect at the next start'),
  })
  .meta({ id: 'ConfigOverlay' });

export const OverlayBody = z
  .record(z.string(), z.string())
  .describe('The whole overlay: configuration keys (see GET /api/v1/config/schema) → string values');

export const PromptTemplate = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string(),
    body: z.string().describe('Liquid (strict: an unknown variable or filter fails the render)'),
    builtIn: z.boolean().describe('The built-in defaults are read-only: copy one into a new template'),
    createdAt: millis(),
    updatedAt: millis(),
  })
  .meta({ id: 'PromptTemplate' });

export const TemplateList = z.object({
  templates: z.array(PromptTemplate),
  variables: z.record(z.string(), z.string()).describe('The variables a template may use, with what each holds'),
});

export const TemplateBody = z.object({
  id: z.string().optional().describe('Create only: lowercase letters, digits, dashes, underscores; not builtin-…'),
  name: z.string().optional(),
  description: z.string().optional(),
  body: z.string().optional().describe('Liquid; a syntax error answers 400 with the engine’s message'),
});

export const TemplatePreview = z.object({
  id: z.string(),
  rendered: z.string().nullable().describe('Null when the render failed'),
  used: z.array(z.string()).describe('Variables the template reads (dot paths)'),
  unresolved: z.array(z.string()).describe('Variables the sample values could not resolve'),
  error: z.string().optional().describe('The engine’s message when the render failed'),
});

const ModelInfo = z.object({ id: z.string(), name: z.string(), createdAt: z.string().optional() });
export const ModelsView = z.object({
  providers: z.array(
    z.object({
      provider: z.enum(['anthropic', 'bedrock']),
      source: z.enum(['api', 'builtin']).describe('`api`: the provider’s list; `builtin`: no key configured, or the API failed'),
      region: z.string().optional(),
      models: z.array(ModelInfo),
      note: z.string().optional(),
      fetchedAt: millis().describe('Lists are cached for ten minutes'),
    }),
  ),
});

export const WorkspacesView = z.object({
  workspaces: z.array(
    z.object({
      key: z.string(),
      path: z.string(),
      identifier: z.string().optional(),
      teamKey: z.string().nullable(),
      sizeBytes: z.number().int(),
      lastUsedAt: millis(),
      inUse: z.boolean().describe('A run of the owning issue is in flight'),
      jobId: z.string().nullable(),
    }),
  ),
  totalBytes: z.number().int(),
});

export const GitContext = z.object({
  repositories: z.array(
    z.object({
      teamKey: z.string(),
      forge: z.string(),
      repository: z.string(),
      remote: z.string().nullable(),
      defaultBranch: z.string(),
      branchPrefix: z.string(),
      routing: z.object({
        ticketing: z.string(),
        team: z.string(),
        jql: z.string().nullable(),
        repoFieldValue: z.string().nullable(),
        paused: z.boolean(),
      }),
      branches: z.array(
        z.object({ name: z.string(), identifier: z.string(), jobId: z.string().nullable(), pullRequest: z.string().nullable() }),
      ),
      pullRequests: z.array(
        z.object({
          number: z.number().int(),
          url: z.string(),
          branch: z.string().nullable(),
          identifier: z.string(),
          openedAt: millis(),
        }),
      ),
      pullRequestsFrom: z
        .enum(['forge', 'records'])
        .describe('`forge`: the bot’s open pull requests as the forge lists them now; `records`: the orchestrator’s own'),
      forgeError: z.string().nullable().describe('Why the forge could not be asked, when it could not'),
    }),
  ),
});

export const AuditEntry = z
  .object({
    id: z.string(),
    at: millis(),
    actor: z.enum(['operator', 'orchestrator']),
    action: z.string(),
    teamKey: z.string().optional(),
    target: z.string().optional(),
    detail: z.record(z.string(), z.unknown()).optional(),
  })
  .meta({ id: 'AuditEntry' });

export const AuditPage = z.object({
  entries: z.array(AuditEntry).describe('Newest first'),
  total: z.number().int().describe('Entries matching the filters'),
  limit: z.number().int(),
  offset: z.number().int(),
  retention: z.number().int().describe('How many entries the trail keeps'),
});

export const AuditQuery = z.object({
  limit: wholeNumber('limit', 1, AUDIT_MAX_LIMIT).optional().describe(`1–${AUDIT_MAX_LIMIT}, default 50`),
  offset: wholeNumber('offset', 0, Number.MAX_SAFE_INTEGER).optional(),
  actor: z.enum(['operator', 'orchestrator'], { error: 'actor must be operator or orchestrator' }).optional(),
  action: z.string().optional().describe('An action, or its area (`config` matches `config.overlay_replaced`)'),
  teamKey: z.string().optional(),
  since: z
    .string()
    .refine((v) => /^\d+$/.test(v) || !Number.isNaN(Date.parse(v)), {
      error: 'since must be epoch milliseconds or an ISO 8601 time',
    })
    .transform((v) => (/^\d+$/.test(v) ? Number(v) : Date.parse(v)))
    .optional(),
});
