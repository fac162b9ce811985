import { err, errAsync, ok, type Result } from 'neverthrow';
import type { ServiceError } from '../../../ports/errors.js';
import type { Logger } from '../../../ports/logger.port.js';
import type { Secrets } from '../../../ports/secrets.port.js';
import type { Storage } from '../../../ports/storage.port.js';
import { isPlainObject } from '../../domain/mappings.js';
import type { Mapping, RunnerKind } from '../../domain/model.js';
import {
  collidingTeamPrefix,
  globalSecretNames,
  SECRET_MESSAGES,
  teamSecretName,
  teamSecretNames,
  teamSecretPrefix,
  validateGlobalSecretName,
  validateSecretInput,
  validateSecretName,
} from '../../domain/secrets.js';
import type { AuditService } from './audit.service.js';
import { FLY_NOT_CONFIGURED } from './fly-sessions.js';

export interface SecretsServiceDeps {
  storage: Storage;
  logger: Logger;
  /** Fly app secrets of the sessions app in force, or undefined when Fly is not configured. */
  flySecrets: () => Promise<Secrets | undefined>;
  /**
   * The same store for the operator's calls (list, set, delete from the admin): one attempt with
   * a short deadline, so a hung Fly answers the admin promptly. Absent: `flySecrets`.
   */
  flyOperatorSecrets?: () => Promise<Secrets | undefined>;
  /** The orchestrator's own store, encrypted at rest (`/api/v1/secrets`). */
  localSecrets: Secrets;
  /** Each secret set or deleted is an audit entry: its name and scope, never its value. */
  audit: Pick<AuditService, 'record'>;
}

export type SecretsError =
  | { kind: 'invalidBody' }
  | { kind: 'invalid'; message: string }
  | { kind: 'teamNotFound' }
  | { kind: 'secretNotFound' }
  | { kind: 'unavailable'; message: string }
  | { kind: 'requestFailed'; message: string };

type Answer<T> = Promise<Result<T, SecretsError>>;

export interface SecretsService {
  /** Per-team Fly secrets, by their names without the team prefix. */
  listTeam(teamKey: string): Answer<string[]>;
  setTeam(teamKey: string, body: unknown): Answer<{ name: string }>;
  removeTeam(teamKey: string, name: string): Answer<{ name: string }>;
  /** Fly secrets that belong to no team. */
  listGlobal(): Answer<string[]>;
  setGlobal(body: unknown): Answer<{ name: string }>;
  removeGlobal(name: string): Answer<{ name: string }>;
  /** `/api/v1/secrets`: the local encrypted store. */
  listLocal(): Answer<string[]>;
  setLocal(key: string, body: unknown): Answer<{ key: string }>;
  removeLocal(key: string): Answer<{ key: string }>;
  /**
   * The secrets a session of `mapping` receives in its environment: the mapping's team-prefixed
   * secrets, under their stored names (`ENG_MY_TOKEN`). From the local store with their values;
   * on Fly machines also the Fly app secrets, as references the Fly runner leaves to the app
   * (which injects the values itself). A store that cannot be read is logged and skipped: a
   * dispatch never fails for it.
   */
  sessionSecrets(mapping: Pick<Mapping, 'teamKey'>, runner: RunnerKind): Promise<Record<string, string>>;
}

const LOCAL_VALUE_REQUIRED = 'value is required';

function fromService(error: ServiceError): SecretsError {
  if (error.kind === 'notFound') return { kind: 'secretNotFound' };
  if (error.kind === 'notConfigured') return { kind: 'unavailable', message: error.message };
  return { kind: 'requestFailed', message: error.message };
}

/**
 * Secrets (admin "Secrets" and `/api/v1/secrets`): naming rules from core/secrets.ts, values
 * only ever written, never returned.
 */
export function createSecretsService(deps: SecretsServiceDeps): SecretsService {
  const { storage, logger, localSecrets, audit } = deps;

  /** Records a change that succeeded (the name only), and hands the outcome back. */
  async function audited<T>(
    outcome: Result<T, SecretsError>,
    change: { action: 'secret.set' | 'secret.deleted'; scope: 'team' | 'global' | 'local'; name: string; teamKey?: string },
  ): Promise<Result<T, SecretsError>> {
    if (outcome.isOk()) {
      const { action, scope, name, teamKey } = change;
      await audit.record({ actor: 'operator', action, target: name, ...(teamKey ? { teamKey } : {}), detail: { scope } });
    }
    return outcome;
  }

  async function fly(): Promise<Result<Secrets, SecretsError>> {
    const secrets = await (deps.flyOperatorSecrets ?? deps.flySecrets)();
    return secrets ? ok(secrets) : err({ kind: 'unavailable', message: FLY_NOT_CONFIGURED });
  }

  async function teamKeys(): Promise<string[]> {
    return (await storage.mappings.list()).map((m) => m.teamKey);
  }

  /** Fly configured, then the team exists. */
  async function flyForTeam(teamKey: string): Promise<Result<Secrets, SecretsError>> {
    const secrets = await fly();
    if (secrets.isErr()) return secrets;
    return (await storage.mappings.get(teamKey)) ? secrets : err({ kind: 'teamNotFound' });
  }

  async function names(secrets: Secrets): Promise<Result<string[], SecretsError>> {
    return (await secrets.list()).mapErr(fromService);
  }

  async function remove(secrets: Secrets, stored: string): Promise<Result<void, SecretsError>> {
    return (await secrets.remove(stored)).mapErr(fromService);
  }

  return {
    async listTeam(teamKey) {
      const secrets = await flyForTeam(teamKey);
      if (secrets.isErr()) return err(secrets.error);
      return (await names(secrets.value)).map((all) => teamSecretNames(all, teamKey));
    },

    async setTeam(teamKey, body) {
      const secrets = await flyForTeam(teamKey);
      if (secrets.isErr()) return err(secrets.error);
      const input = validateSecretInput(body);
      if (input.isErr())
        return err(
          input.error === SECRET_MESSAGES.invalidBody ? { kind: 'invalidBody' } : { kind: 'invalid', message: input.error },
        );
      const set = await secrets.value.set(teamSecretName(teamKey, input.value.name), input.value.value);
      const outcome = set.map(() => ({ name: input.value.name })).mapErr(fromService);
      return audited(outcome, { action: 'secret.set', scope: 'team', name: input.value.name, teamKey });
    },

    async removeTeam(teamKey, name) {
      const secrets = await flyForTeam(teamKey);
      if (secrets.isErr()) return err(secrets.error);
      const valid = validateSecretName(name);
      if (valid.isErr()) return err({ kind: 'invalid', message: valid.error });
      const outcome = (await remove(secrets.value, teamSecretName(teamKey, name))).map(() => ({ name }));
      return audited(outcome, { action: 'secret.deleted', scope: 'team', name, teamKey });
    },

    async listGlobal() {
      const secrets = await fly();
      if (secrets.isErr()) return err(secrets.error);
      const all = await names(secrets.value);
      if (all.isErr()) return err(all.error);
      return ok(globalSecretNames(all.value, await teamKeys()));
    },

    async setGlobal(body) {
      const secrets = await fly();
      if (secrets.isErr()) return err(secrets.error);
      const input = validateSecretInput(body);
      if (input.isErr())
        return err(
          input.error === SECRET_MESSAGES.invalidBody ? { kind: 'invalidBody' } : { kind: 'invalid', message: input.error },
        );
      const name = validateGlobalSecretName(input.value.name, await teamKeys());
      if (name.isErr()) return err({ kind: 'invalid', message: name.error });
      const set = await secrets.value.set(name.value, input.value.value);
      const outcome = set.map(() => ({ name: name.value })).mapErr(fromService);
      return audited(outcome, { action: 'secret.set', scope: 'global', name: name.value });
    },

    async removeGlobal(name) {
      const secrets = await fly();
      if (secrets.isErr()) return err(secrets.error);
      const valid = validateSecretName(name);
      if (valid.isErr()) return err({ kind: 'invalid', message: valid.error });
      // A team's secret is not a global one: the global API neither shows nor deletes it.
      if (collidingTeamPrefix(name, await teamKeys())) return err({ kind: 'secretNotFound' });
      return audited(
        (await remove(secrets.value, name)).map(() => ({ name })),
        { action: 'secret.deleted', scope: 'global', name },
      );
    },

    async listLocal() {
      return names(localSecrets);
    },

    async setLocal(key, body) {
      if (!isPlainObject(body)) return err({ kind: 'invalidBody' });
      const valid = validateSecretName(key);
      if (valid.isErr()) return err({ kind: 'invalid', message: valid.error });
      if (typeof body.value !== 'string' || body.value === '') return err({ kind: 'invalid', message: LOCAL_VALUE_REQUIRED });
      const outcome = (await localSecrets.set(key, body.value)).map(() => ({ key })).mapErr(fromService);
      return audited(outcome, { action: 'secret.set', scope: 'local', name: key });
    },

    async removeLocal(key) {
      const valid = validateSecretName(key);
      if (valid.isErr()) return err({ kind: 'invalid', message: valid.error });
      return audited(
        (await remove(localSecrets, key)).map(() => ({ key })),
        { action: 'secret.deleted', scope: 'local', name: key },
      );
    },

    async sessionSecrets(mapping, runner) {
      const prefix = teamSecretPrefix(mapping.teamKey);
      const revealTeam = (store: Secrets, label: string) =>
        store
          .list()
          .andThen((all) => {
            const team = all.filter((n) => n.startsWith(prefix) && n.length > prefix.length);
            return team.length === 0
              ? errAsync<Record<string, string>, ServiceError>({ kind: 'notFound', message: 'none' })
              : store.reveal(team);
          })
          .match(
            (values) => values,
            (error) => {
              if (error.kind !== 'notFound' && error.kind !== 'notConfigured') {
                logger.warn('session secrets: a store could not be read', {
                  store: label,
                  teamKey: mapping.teamKey,
                  error: error.message,
                });
              }
              return {} as Record<string, string>;
            },
          );
      const local = await revealTeam(localSecrets, 'local');
      if (runner !== 'fly-machines') return local;
      const flyStore = await deps.flySecrets();
      // Fly's own copy wins on Fly: its reference is left out of the machine env, so the app's value stands.
      return flyStore ? { ...local, ...(await revealTeam(flyStore, 'fly')) } : local;
    },
  };
}

/** A Secrets store that is not configured: every call answers `notConfigured` with `message`. */
export function unconfiguredSecrets(message: string): Secrets {
  const no = () => errAsync<never, ServiceError>({ kind: 'notConfigured', message });
  return { list: no, set: no, remove: no, reveal: no };
}
