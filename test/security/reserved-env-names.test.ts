import { describe, expect, it } from 'vitest';
import { teamSessionEnv } from '../../core/app/dispatch/run-environment.js';
import { takeRunCredentials } from '../../hosts/session/run-credentials.js';
import { agentEnvironment } from '../../hosts/session/session-env.js';

/**
 * `__proto__`, `constructor` and `prototype` never travel as variables: a mapping stored before
 * extraEnv refused them, or a handed-over file that names them, leaves them out, and the objects
 * built from a run's variables have no prototype for a name to reach.
 */
const HOSTILE = '{"A":"1","__proto__":{"polluted":"yes"},"constructor":"c","prototype":"p"}';

describe('names JavaScript objects reserve, in a run’s environment', () => {
  it('a stored mapping’s extraEnv passes none of them to the session', () => {
    const env = teamSessionEnv(JSON.parse('{"ENG_TOKEN":"t","__proto__":"s"}'), { extraEnv: JSON.parse(HOSTILE) });
    expect(Object.keys(env).sort()).toEqual(['A', 'ENG_TOKEN']);
    expect(Object.getPrototypeOf(env)).toBe(Object.prototype);
  });

  it('the session takes none of them from what the orchestrator hands over, and its environment has no prototype', () => {
    const taken = takeRunCredentials({ PATH: '/usr/bin' }, JSON.parse(HOSTILE));
    if ('error' in taken) throw new Error(taken.error);
    expect(Object.keys(taken.env).sort()).toEqual(['A', 'PATH']);
    expect(Object.getPrototypeOf(taken.env)).toBeNull();
    expect('constructor' in taken.env).toBe(false);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('the agent’s environment is a null-prototype map: a name is only ever a key', () => {
    const env = agentEnvironment(JSON.parse('{"PATH":"/usr/bin","__proto__":"x","constructor":"c"}'));
    expect(Object.getPrototypeOf(env)).toBeNull();
    expect(Object.keys(env).sort()).toEqual(['PATH', '__proto__', 'constructor']);
    expect(Object.entries(env)).toContainEqual(['__proto__', 'x']);
  });
});
