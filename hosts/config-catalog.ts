import { err, ok } from 'neverthrow';
import { z } from 'zod';
import { type CoreSettings, SECRET_CONFIG_KEYS } from '../core/app/core-settings.js';
import type { ConfigCatalog, ConfigKeyInfo } from '../ports/config-catalog.port.js';
import { type Config, describeIssue, envSchema, loadConfig } from './config.js';

/** Where storage lives: the overlay is kept in it, so only the environment can move it. */
const STORAGE_KEYS = ['DATA_DIR', 'STORAGE_URL'];

/**
 * Keys the seeds give env-lock semantics: the environment beats the stored value, which is the
 * setting `/api/runner-mode` and `/api/settings` write, read on every use (a change is live).
 */
const LIVE_SETTINGS: Record<string, string> = {
  RUNNER_MODE: 'runnerMode',
  FLY_SESSIONS_APP: 'flySessionsApp',
  FLY_SESSIONS_REGION: 'flySessionsRegion',
};

const EXAMPLES = [{ POLL_INTERVAL_MS: '60000' }, { RUNNER_MODE: 'shadow', LINEAR_API_URL: 'https://linear.example.com/graphql' }];

/** `POLL_INTERVAL_MS` → `pollIntervalMs`: the settings field a variable fills. */
export function settingsField(key: string): keyof CoreSettings {
  return key.toLowerCase().replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()) as keyof CoreSettings;
}

const SECRET_FIELDS: readonly string[] = SECRET_CONFIG_KEYS;
const KEYS: ConfigKeyInfo[] = Object.keys(envSchema.shape).map((key) => {
  // A storage URL may carry a password.
  const secret = SECRET_FIELDS.includes(settingsField(key)) || key === 'STORAGE_URL';
  const storedSetting = LIVE_SETTINGS[key];
  return {
    key,
    secret,
    apply: storedSetting ? 'live' : 'restart',
    overlayable: !secret && !STORAGE_KEYS.includes(key),
    envLocked: Boolean(storedSetting),
    ...(storedSetting ? { storedSetting } : {}),
  };
});
const OVERLAYABLE = KEYS.filter((k) => k.overlayable).map((k) => k.key);

/** The overlay: overlayable variables, each checked by its own rule in the configuration schema. */
const overlaySchema = z
  .object(Object.fromEntries(OVERLAYABLE.map((key) => [key, envSchema.shape[key as keyof typeof envSchema.shape]])))
  .partial()
  .strict();

function asEnv(value: unknown): string | undefined {
  return value === undefined || value === null ? undefined : String(value);
}

/** Each variable's value in `settings`, as the environment would spell it. */
function envValues(settings: Partial<CoreSettings>): Record<string, string | undefined> {
  return Object.fromEntries(KEYS.map(({ key }) => [key, asEnv(settings[settingsField(key)])]));
}

/**
 * The ConfigCatalog port on the configuration contract of hosts/config.ts: the same zod schema
 * validates the environment at start, every overlay, and generates `/api/v1/config/schema`.
 * `started` is the configuration as the environment gave it (before any overlay).
 */
export function createConfigCatalog(started: Config, running: Config): ConfigCatalog {
  const values = envValues(started);
  const defaults = envValues(loadConfig({})._unsafeUnwrap());
  // The default public URL follows the listener.
  defaults.PUBLIC_URL = envValues(loadConfig({ HOST: started.host, PORT: String(started.port) })._unsafeUnwrap()).PUBLIC_URL;
  defaults.CUSTOM_DIR = envValues(loadConfig({})._unsafeUnwrap()).CUSTOM_DIR;
  const fromEnv = Object.fromEntries(
    Object.entries(values).filter(([key, value]) => value !== undefined && value !== defaults[key]),
  ) as Record<string, string>;

  return {
    keys: KEYS,
    baseline: () =>
      Object.fromEntries(
        KEYS.map(({ key }) => {
          const value = values[key];
          return [key, { ...(value === undefined ? {} : { value }), source: key in fromEnv ? 'env' : 'default' }];
        }),
      ),
    running: () => envValues(running),
    validate(overlay) {
      if (typeof overlay !== 'object' || overlay === null || Array.isArray(overlay)) {
        return err({ path: '', message: 'The overlay must be a JSON object of configuration keys' });
      }
      for (const [key, value] of Object.entries(overlay)) {
        const info = KEYS.find((k) => k.key === key);
        if (!info) return err({ path: key, message: `${key} is not a configuration key` });
        if (info.secret) return err({ path: key, message: `${key} is a secret: set it in the environment, not the overlay` });
        if (!info.overlayable) return err({ path: key, message: `${key} is set in the environment only (storage location)` });
        if (typeof value !== 'string') return err({ path: key, message: `${key} must be a string` });
      }
      const alone = overlaySchema.safeParse(overlay);
      if (!alone.success) return err(problemOf(alone.error.issues[0]));
      const merged = envSchema.safeParse({ ...fromEnv, ...(overlay as Record<string, string>) });
      if (!merged.success) return err(problemOf(merged.error.issues[0]));
      return ok({ ...(overlay as Record<string, string>) });
    },
    jsonSchema() {
      const schema = z.toJSONSchema(z.object(envSchema.shape), { io: 'input', unrepresentable: 'any' }) as {
        properties: Record<string, Record<string, unknown>>;
      };
      for (const info of KEYS) {
        const property = schema.properties[info.key] ?? {};
        if (!info.overlayable) property.readOnly = true;
        if (info.secret) property.writeOnly = true;
        if (defaults[info.key] !== undefined && property.default === undefined) property.default = defaults[info.key];
        Object.assign(property, {
          'x-apply': info.apply,
          'x-secret': info.secret,
          'x-overlayable': info.overlayable,
          'x-env-locked': info.envLocked,
        });
        schema.properties[info.key] = property;
      }
      return {
        ...schema,
        title: 'AI-Implement configuration',
        description:
          'Every environment variable the orchestrator reads. The overlay (PUT /api/v1/config/overlay) sets the keys that are not readOnly, as strings; secrets and the storage location come from the environment only.',
        examples: EXAMPLES,
      };
    },
  };
}

function problemOf(issue: z.core.$ZodIssue | undefined): { path: string; message: string } {
  if (!issue) return { path: '', message: 'Invalid overlay' };
  const path = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0] ?? '';
    return { path: key, message: `${key} is not a configuration key` };
  }
  return { path, message: describeIssue(issue) };
}

/**
 * The settings with the stored overlay applied (restart keys only: live keys are the stored
 * settings their services read). An overlay that no longer validates is ignored whole.
 */
export function withOverlay(catalog: ConfigCatalog, started: Config, overlay: Record<string, string>): Config {
  const checked = catalog.validate(overlay);
  if (checked.isErr()) return started;
  const restartKeys = Object.entries(checked.value).filter(
    ([key]) => catalog.keys.find((k) => k.key === key)?.apply === 'restart',
  );
  if (restartKeys.length === 0) return started;
  const fromEnv = Object.entries(catalog.baseline()).flatMap(([key, { value, source }]) =>
    source === 'env' && value !== undefined ? [[key, value] as const] : [],
  );
  return loadConfig({ ...Object.fromEntries(fromEnv), ...Object.fromEntries(restartKeys) }).match(
    (next) => ({ ...started, ...next }),
    () => started,
  );
}
