import { err, ok, type Result } from 'neverthrow';
import type { Storage } from '../../../ports/storage.port.js';
import { isPlainObject } from '../../domain/mappings.js';
import { resolveSetting, SETTINGS, type SettingKey } from '../../domain/runner-mode.js';
import type { CoreSettings } from '../core-settings.js';
import type { AuditService } from './audit.service.js';

export interface SettingsDeps {
  config: Pick<CoreSettings, 'flySessionsApp' | 'flySessionsRegion'>;
  storage: Storage;
  /** Where each change is recorded (the audit trail), when there is one. */
  audit?: Pick<AuditService, 'record'>;
}

/** One setting as the admin shows it: the value in force beside the stored one, and who wins. */
export interface SettingView {
  /** The value in force now (the environment variable's when set, else the stored one). */
  runtime: string | null;
  /** The value saved through `POST /api/settings`. */
  stored: string | null;
  source: 'env' | 'stored' | 'unset';
  /** True when the environment variable is set: it wins over the stored value. */
  envOverride: boolean;
  envVar: string;
}

export type SettingsView = Record<SettingKey, SettingView>;

export type SettingsError = { kind: 'invalidBody' } | { kind: 'invalid'; message: string };

export interface SettingsService {
  get(): Promise<SettingsView>;
  /**
   * Saves the settings named in the body (`null` or `""` clears one). The stored value is saved
   * even while an environment variable overrides it; the answer says which wins.
   */
  update(body: unknown): Promise<Result<SettingsView, SettingsError>>;
  /** The value in force of one setting, or undefined. */
  value(key: SettingKey): Promise<string | undefined>;
}

const KEYS = Object.keys(SETTINGS) as SettingKey[];

/** Fly app names: lowercase letters, digits and dashes; regions: Fly's three-letter codes. */
const RULES: Record<SettingKey, { pattern: RegExp; message: string }> = {
  flySessionsApp: {
    pattern: /^[a-z0-9][a-z0-9-]{0,62}$/,
    message: 'flySessionsApp must be a Fly app name (lowercase letters, digits and dashes)',
  },
  flySessionsRegion: {
    pattern: /^[a-z]{3}$/,
    message: 'flySessionsRegion must be a Fly region code (three lowercase letters, e.g. ord)',
  },
};

/**
 * Orchestrator settings (admin "CoreSettings": `flySessionsApp`, `flySessionsRegion`). Each is
 * read where it is used, on every use, so a saved value takes effect at once without a
 * restart; the environment variable (`FLY_SESSIONS_APP`, `FLY_SESSIONS_REGION`) still beats it.
 */
export function createSettingsService({ config, storage, audit }: SettingsDeps): SettingsService {
  const envOf = (key: SettingKey) => config[key];

  async function view(key: SettingKey): Promise<SettingView> {
    const resolved = resolveSetting({ env: envOf(key), stored: await storage.settings.get(key) });
    return {
      runtime: resolved.value ?? null,
      stored: resolved.stored ?? null,
      source: resolved.source === 'default' ? 'stored' : resolved.source,
      envOverride: resolved.envOverride,
      envVar: SETTINGS[key],
    };
  }

  async function get(): Promise<SettingsView> {
    const views = await Promise.all(KEYS.map(async (key) => [key, await view(key)] as const));
    return Object.fromEntries(views) as SettingsView;
  }

  return {
    get,

    async update(body) {
      if (!isPlainObject(body)) return err({ kind: 'invalidBody' });
      const named = KEYS.filter((key) => key in body);
      if (named.length === 0) return err({ kind: 'invalid', message: `Specify ${KEYS.join(' or ')}` });
      const changes: [SettingKey, string | undefined][] = [];
      for (const key of named) {
        const raw = body[key];
        if (raw === null || raw === '') {
          changes.push([key, undefined]);
          continue;
        }
        if (typeof raw !== 'string' || !RULES[key].pattern.test(raw.trim())) {
          return err({ kind: 'invalid', message: RULES[key].message });
        }
        changes.push([key, raw.trim()]);
      }
      for (const [key, value] of changes) await storage.settings.set(key, value);
      await audit?.record({
        actor: 'operator',
        action: 'settings.updated',
        detail: Object.fromEntries(changes.map(([key, value]) => [key, value ?? null])),
      });
      return ok(await get());
    },

    async value(key) {
      return resolveSetting({ env: envOf(key), stored: await storage.settings.get(key) }).value;
    },
  };
}
