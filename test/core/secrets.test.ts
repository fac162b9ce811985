import { describe, expect, it } from 'vitest';
import {
  collidingTeamPrefix,
  globalSecretNames,
  teamSecretName,
  teamSecretNames,
  validateGlobalSecretName,
  validateSecretInput,
  validateSecretName,
} from '../../core/domain/secrets.js';

describe('secret naming', () => {
  it('stores a per-team secret under the team key prefix', () => {
    expect(teamSecretName('ENG', 'MY_TOKEN')).toBe('ENG_MY_TOKEN');
  });

  it.each<[unknown, string]>([
    [null, 'Invalid request body'],
    [['MY_TOKEN', 'x'], 'Invalid request body'],
    [{ value: 'x' }, 'name and value are required'],
    [{ name: 'MY_TOKEN' }, 'name and value are required'],
    [{ name: 'MY_TOKEN', value: '' }, 'name and value are required'],
    [{ name: '', value: 'x' }, 'name and value are required'],
    [{ name: 'MY_TOKEN', value: 5 }, 'name and value are required'],
    [{ name: 'MY-TOKEN', value: 'x' }, 'name must contain only letters, digits, and underscores'],
    [{ name: 'MY TOKEN', value: 'x' }, 'name must contain only letters, digits, and underscores'],
    [{ name: 'ÄPI', value: 'x' }, 'name must contain only letters, digits, and underscores'],
  ])('%j → %s', (body, message) => {
    const result = validateSecretInput(body);
    expect(result.isErr() && result.error).toBe(message);
  });

  it('accepts letters, digits and underscores', () => {
    expect(validateSecretInput({ name: 'My_Token_2', value: 's3cret' })._unsafeUnwrap()).toEqual({
      name: 'My_Token_2',
      value: 's3cret',
    });
    expect(validateSecretName('A_1').isOk()).toBe(true);
    expect(validateSecretName('A.1').isErr()).toBe(true);
  });

  it('refuses a global name that starts with a team prefix, naming the prefix', () => {
    expect(validateGlobalSecretName('ENG_TOKEN', ['WEB', 'ENG'])._unsafeUnwrapErr()).toBe(
      'Secret name must not start with a team key prefix (ENG_)',
    );
    expect(validateGlobalSecretName('ENGINE_TOKEN', ['ENG']).isOk()).toBe(true);
    expect(validateGlobalSecretName('SHARED', ['ENG'])._unsafeUnwrap()).toBe('SHARED');
    expect(validateGlobalSecretName('BAD-NAME', ['ENG'])._unsafeUnwrapErr()).toBe(
      'name must contain only letters, digits, and underscores',
    );
  });

  it('names the longest colliding prefix', () => {
    expect(collidingTeamPrefix('AB_C_X', ['A', 'AB'])).toBe('AB_');
  });

  it('splits stored names into per-team and global', () => {
    const stored = ['ENG_A', 'ENG_B', 'WEB_A', 'SHARED', 'ENGINE'];
    expect(teamSecretNames(stored, 'ENG')).toEqual(['A', 'B']);
    expect(globalSecretNames(stored, ['ENG', 'WEB'])).toEqual(['ENGINE', 'SHARED']);
  });
});
