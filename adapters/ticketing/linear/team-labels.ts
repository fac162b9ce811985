/**
 * The ids of a team's lifecycle labels, looked up once per team and kept; a label the team
 * lacks is created once. Concurrent moves share one lookup and one creation per label (the
 * pending promise is what is cached), so ten moves at once still create a missing label once.
 * A failed lookup or creation is forgotten, so the next call tries again.
 */
import { errAsync, okAsync, type Result, ResultAsync } from 'neverthrow';
import type { ServiceError } from '../../../ports/errors.js';

export interface TeamLabelsSource {
  /** The team's id and the ids of the labels it can use among `names`. */
  load(teamKey: string, names: readonly string[]): ResultAsync<{ teamId: string; ids: Map<string, string> }, ServiceError>;
  /** Creates the label in the team; resolves its id. */
  create(teamId: string, name: string): ResultAsync<string, ServiceError>;
}

interface TeamEntry {
  teamId: string;
  ids: Map<string, string>;
  creating: Map<string, Promise<Result<string, ServiceError>>>;
}

export interface TeamLabels {
  /** The ids of `names`, creating those the team lacks. */
  ensure(teamKey: string, names: readonly string[]): ResultAsync<string[], ServiceError>;
  /** The ids of those of `names` that exist (a label that does not exist is on no issue). */
  existing(teamKey: string, names: readonly string[]): ResultAsync<string[], ServiceError>;
  /** Forgets a team's labels, after Linear said one of them no longer exists. */
  forget(teamKey: string): void;
}

export function createTeamLabels(source: TeamLabelsSource, names: readonly string[]): TeamLabels {
  const teams = new Map<string, Promise<Result<TeamEntry, ServiceError>>>();

  function team(teamKey: string): ResultAsync<TeamEntry, ServiceError> {
    let pending = teams.get(teamKey);
    if (!pending) {
      pending = Promise.resolve(
        source.load(teamKey, names).map(({ teamId, ids }): TeamEntry => ({ teamId, ids, creating: new Map() })),
      ).then((result) => {
        if (result.isErr()) teams.delete(teamKey);
        return result;
      });
      teams.set(teamKey, pending);
    }
    return new ResultAsync(pending);
  }

  /** Creates `name` once; a clash (someone else created it meanwhile) is settled by looking it up again. */
  function create(teamKey: string, entry: TeamEntry, name: string): ResultAsync<string, ServiceError> {
    let pending = entry.creating.get(name);
    if (!pending) {
      pending = Promise.resolve(
        source.create(entry.teamId, name).orElse((error) =>
          error.kind === 'invalid'
            ? source.load(teamKey, [name]).andThen(({ ids }) => {
                const id = ids.get(name);
                return id ? okAsync(id) : errAsync(error);
              })
            : errAsync(error),
        ),
      ).then((result) => {
        entry.creating.delete(name);
        if (result.isOk()) entry.ids.set(name, result.value);
        return result;
      });
      entry.creating.set(name, pending);
    }
    return new ResultAsync(pending);
  }

  return {
    ensure: (teamKey, wanted) =>
      team(teamKey).andThen((entry) =>
        ResultAsync.combine(
          wanted.map((name) => (entry.ids.has(name) ? okAsync(entry.ids.get(name)!) : create(teamKey, entry, name))),
        ),
      ),
    existing: (teamKey, wanted) =>
      team(teamKey).map((entry) => wanted.flatMap((name) => (entry.ids.has(name) ? [entry.ids.get(name)!] : []))),
    forget: (teamKey) => {
      teams.delete(teamKey);
    },
  };
}
