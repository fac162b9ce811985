import { ok } from 'neverthrow';
import { z } from 'zod';
import type { SettingsService } from '../../../core/app/operations/settings.service.js';
import { routesFor } from '../route.js';

export interface SettingsRoutesDeps {
  settings: SettingsService;
}

const nullableText = z.string().nullable();
/** One setting as `SettingsService.get` shows it: the value in force, the stored one, and who wins. */
const SettingView = z.object({
  runtime: nullableText,
  stored: nullableText,
  source: z.string(),
  envOverride: z.boolean(),
  envVar: z.string(),
});
const answer = z.object({ settings: z.record(z.string(), SettingView) });
const invalid = (message: string) => ({ kind: 'invalid', message }) as const;

const route = routesFor<SettingsRoutesDeps>();

/** Admin "Settings": `flySessionsApp` and `flySessionsRegion`, each with its env override. */
export const settingsRoutes = [
  route({
    method: 'get',
    path: '/api/settings',
    operationId: 'getSettings',
    tag: 'Settings',
    summary: 'flySessionsApp and flySessionsRegion, each with its environment override',
    responses: { 200: answer },
    handler: async (_input, { settings }) => ok({ settings: await settings.get() }),
  }),
  route({
    method: 'post',
    path: '/api/settings',
    operationId: 'updateSettings',
    tag: 'Settings',
    summary: 'Save the settings named in the body (null or "" clears one)',
    // The use case holds the setting rules (core/app/operations/settings.service.ts RULES).
    body: {
      schema: z.object({ flySessionsApp: nullableText.optional(), flySessionsRegion: nullableText.optional() }),
      judgedByUseCase: true,
    },
    responses: { 200: answer },
    errors: [
      { kind: 'invalidBody' },
      invalid('Specify flySessionsApp or flySessionsRegion'),
      invalid('flySessionsApp must be a Fly app name (lowercase letters, digits and dashes)'),
      invalid('flySessionsRegion must be a Fly region code (three lowercase letters, e.g. ord)'),
    ],
    handler: async ({ body }, { settings }) => (await settings.update(body)).map((view) => ({ settings: view })),
  }),
];
