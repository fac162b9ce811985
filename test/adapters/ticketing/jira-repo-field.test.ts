import { describe, expect, it } from 'vitest';
import { fieldValues, findRepoField, idOfRepoFieldSetting } from '../../../adapters/ticketing/jira/jira-repo-field.js';

/** How the Jira adapter names and reads the repo field when it splits one search among mappings. */
const FIELDS = [
  { id: 'summary', name: 'Summary', clauseNames: ['summary'] },
  { id: 'customfield_10050', name: 'Repo', clauseNames: ['cf[10050]', 'Repo', 'Repo[Select List (single choice)]'] },
  { id: 'customfield_10077', name: 'Repository', clauseNames: ['cf[10077]', 'Repository'] },
];

describe('the repo field setting', () => {
  it('is an id already (customfield_N, cf[N]) or a name looked up in the field list', () => {
    expect(idOfRepoFieldSetting('customfield_10050')).toBe('customfield_10050');
    expect(idOfRepoFieldSetting(' cf[10077] ')).toBe('customfield_10077');
    expect(idOfRepoFieldSetting('Repo')).toBeUndefined();
    expect(findRepoField(FIELDS, 'repo')).toBe('customfield_10050');
    expect(findRepoField(FIELDS, 'Repo[Select List (single choice)]')).toBe('customfield_10050');
    expect(findRepoField([{ id: 'customfield_1', name: 'Repo' }], 'Repo[Dropdown]')).toBe('customfield_1');
    expect(findRepoField(FIELDS, 'Repository')).toBe('customfield_10077');
    expect(findRepoField(FIELDS, 'Team')).toBeUndefined();
  });
});

describe('an issue’s repo field value', () => {
  const raw = (value: unknown) => ({ id: '1', key: 'ENG-1', fields: { customfield_10050: value } as never });
  it('reads a select option, a text, a labels list or a multi-select; an empty field is none', () => {
    expect(fieldValues(raw({ id: '10100', value: 'api' }), 'customfield_10050')).toEqual(['api']);
    expect(fieldValues(raw('web'), 'customfield_10050')).toEqual(['web']);
    expect(fieldValues(raw(['api', 'web']), 'customfield_10050')).toEqual(['api', 'web']);
    expect(fieldValues(raw([{ value: 'api' }, { value: 'mobile' }]), 'customfield_10050')).toEqual(['api', 'mobile']);
    expect(fieldValues(raw(null), 'customfield_10050')).toEqual([]);
    expect(fieldValues({ id: '1', key: 'ENG-1' }, 'customfield_10050')).toEqual([]);
  });
});
