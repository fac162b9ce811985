import { err, ok, type Result } from 'neverthrow';
import type { Clock } from '../../../ports/clock.port.js';
import type { ConfigCatalog, ConfigKeyInfo } from '../../../ports/config-catalog.port.js';
import { collection, type Storage } from '../../../ports/storage.port.js';
import type { AuditService } from './audit.service.js';

/** The overlay's restart keys; the live ones are the stored settings they name. */
export const CONFIG_OVERLAY = collection<{ values: Record<string, string>; updatedAt: number }>('config-overlay');
const OVERLAY_ID = 'overlay';
export const MASK = '********';

export interface ConfigOverlayDeps {
  storage: Storage;
  clock: Clock;
  configCatalog: ConfigCatalog;
  audit: Pick<AuditService, 'record'>;
}

export interface ConfigKeyView {
  key: string;
  /** The effective value (secrets masked), or null when unset. */
  value: string | null;
  source: 'default' | 'env' | 'overlay';
  apply: 'live' | 'restart';
  secret: boolean;
  overlayable: boolean;
  envLocked: boolean;
  /** The effective value differs from the running process's: it applies at the next start. */
  restartRequired: boolean;
  /** The overlay's value while the environment wins over it. */
  overlayValue?: string;
  note?: string;
}

export interface EffectiveConfig {
  /** Key → effective value (secrets masked). */
  config: Record<string, string | null>;
  keys: ConfigKeyView[];
}

export interface OverlayView {
  overlay: Record<string, string>;
  updatedAt: number | null;
  /** Overlay keys the environment beats: saved, without effect while the variable is set. */
  envLocked: { key: string; message: string }[];
  /** Overlay keys that take effect at the next start. */
  restartRequired: string[];
}

export type ConfigOverlayError = { kind: 'invalid'; message: string } | { kind: 'overlayPathNotFound' };

export interface ConfigOverlayService {
  effective(): Promise<EffectiveConfig>;
  schema(): Record<string, unknown>;
  overlay(): Promise<OverlayView>;
  /** Replaces the whole overlay (validated against the configuration schema). */
  replace(body: unknown): Promise<Result<OverlayView, ConfigOverlayError>>;
  /** Removes one key (a dot path) from the overlay. */
  remove(path: string): Promise<Result<OverlayView, ConfigOverlayError>>;
  /** The stored overlay's values (restart and live keys). */
  stored(): Promise<Record<string, string>>;
}

const envLockMessage = (key: string) =>
  `${key} env var is set; the overlay value is persisted but has no effect until the env var is unset`;

/**
 * The configuration overlay (`/api/v1/config*`): defaults ← environment ← overlay, kept in
 * storage so it survives a restart and every replica shares it. Keys the seeds env-lock keep
 * the environment's precedence; every change is an audit entry.
 */
export function createConfigOverlayService({ storage, clock, configCatalog, audit }: ConfigOverlayDeps): ConfigOverlayService {
  const live = configCatalog.keys.filter((k): k is ConfigKeyInfo & { storedSetting: string } => Boolean(k.storedSetting));

  async function read(): Promise<{ values: Record<string, string>; updatedAt: number | null }> {
    const doc = await storage.documents.get(CONFIG_OVERLAY, OVERLAY_ID);
    const values: Record<string, string> = { ...(doc?.values ?? {}) };
    for (const info of live) {
      const stored = await storage.settings.get(info.storedSetting);
      if (stored) values[info.key] = stored;
    }
    return { values, updatedAt: doc?.updatedAt ?? null };
  }

  async function write(values: Record<string, string>): Promise<void> {
    const restart = Object.fromEntries(Object.entries(values).filter(([key]) => !live.some((k) => k.key === key)));
    await storage.documents.put(CONFIG_OVERLAY, OVERLAY_ID, { values: restart, updatedAt: clock.now() });
    for (const info of live) await storage.settings.set(info.storedSetting, values[info.key]);
  }

  function lockedByEnv(info: ConfigKeyInfo): boolean {
    return info.envLocked && configCatalog.baseline()[info.key]?.source === 'env';
  }

  function viewOf(read: { values: Record<string, string>; updatedAt: number | null }): OverlayView {
    const running = configCatalog.running();
    const infos = configCatalog.keys.filter((k) => k.key in read.values);
    return {
      overlay: read.values,
      updatedAt: read.updatedAt,
      envLocked: infos.filter(lockedByEnv).map((k) => ({ key: k.key, message: envLockMessage(k.key) })),
      restartRequired: infos.filter((k) => k.apply === 'restart' && running[k.key] !== read.values[k.key]).map((k) => k.key),
    };
  }

  async function change(next: Record<string, string>, action: string, target?: string): Promise<OverlayView> {
    const before = (await read()).values;
    await write(next);
    const keys = [...new Set([...Object.keys(before), ...Object.keys(next)])].sort();
    const changes = Object.fromEntries(
      keys.filter((k) => before[k] !== next[k]).map((k) => [k, { from: before[k] ?? null, to: next[k] ?? null }]),
    );
    await audit.record({ actor: 'operator', action, ...(target ? { target } : {}), detail: { changes } });
    return viewOf(await read());
  }

  return {
    async effective() {
      const overlay = (await read()).values;
      const baseline = configCatalog.baseline();
      const running = configCatalog.running();
      const keys = configCatalog.keys.map((info): ConfigKeyView => {
        const base = baseline[info.key] ?? { source: 'default' as const };
        const fromOverlay = overlay[info.key];
        const envWins = lockedByEnv(info) && fromOverlay !== undefined;
        const useOverlay = fromOverlay !== undefined && !envWins;
        const value = useOverlay ? fromOverlay : base.value;
        return {
          key: info.key,
          value: value === undefined ? null : info.secret ? MASK : value,
          source: useOverlay ? 'overlay' : base.source,
          apply: info.apply,
          secret: info.secret,
          overlayable: info.overlayable,
          envLocked: info.envLocked,
          restartRequired: info.apply === 'restart' && value !== running[info.key],
          ...(envWins ? { overlayValue: fromOverlay, note: envLockMessage(info.key) } : {}),
        };
      });
      return { config: Object.fromEntries(keys.map((k) => [k.key, k.value])), keys };
    },

    schema: () => configCatalog.jsonSchema(),

    async overlay() {
      return viewOf(await read());
    },

    async replace(body) {
      const checked = configCatalog.validate(body);
      if (checked.isErr()) {
        const { path, message } = checked.error;
        return err({ kind: 'invalid', message: path ? `Invalid overlay at ${path}: ${message}` : message });
      }
      return ok(await change(checked.value, 'config.overlay_replaced'));
    },

    async remove(path) {
      const current = (await read()).values;
      if (!(path in current)) return err({ kind: 'overlayPathNotFound' });
      const { [path]: _removed, ...rest } = current;
      return ok(await change(rest, 'config.overlay_deleted', path));
    },

    async stored() {
      return (await read()).values;
    },
  };
}
