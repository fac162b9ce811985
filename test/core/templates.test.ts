import { describe, expect, it } from 'vitest';
import { overallTemplateStatus, templateStatus, templateVersion } from '../../core/domain/templates.js';

const v = (version: string, body = 'name: x\n') => `# ai-implement-template: ${version}\n${body}`;

describe('templateStatus', () => {
  const expected = [
    { path: '.github/workflows/a.yml', content: v('3') },
    { path: '.github/workflows/b.yml', content: v('3', 'name: b\n') },
    { path: '.github/workflows/c.yml', content: v('3', 'name: c\n') },
  ];

  it('says current, stale or missing per expected file, in the expected order', () => {
    const status = templateStatus(expected, [
      { path: '.github/workflows/c.yml', content: v('3', 'name: c\n') },
      { path: '.github/workflows/a.yml', content: v('2') },
      { path: '.github/workflows/b.yml', content: undefined },
      { path: '.github/workflows/unrelated.yml', content: 'x' },
    ]);
    expect(status).toEqual([
      { path: '.github/workflows/a.yml', status: 'stale', expectedVersion: '3', actualVersion: '2' },
      { path: '.github/workflows/b.yml', status: 'missing', expectedVersion: '3' },
      { path: '.github/workflows/c.yml', status: 'current', expectedVersion: '3', actualVersion: '3' },
    ]);
  });

  it('treats a file absent from the actual list as missing', () => {
    expect(templateStatus(expected.slice(0, 1), []).map((e) => e.status)).toEqual(['missing']);
  });

  it('ignores line endings and trailing blank space, but not any other edit at the same version', () => {
    const crlf = v('3').replace(/\n/g, '\r\n');
    expect(templateStatus(expected.slice(0, 1), [{ path: expected[0]?.path ?? '', content: `${crlf}\n\n  ` }])[0]?.status).toBe(
      'current',
    );
    const edited = `${v('3')}# my own step\n`;
    expect(templateStatus(expected.slice(0, 1), [{ path: expected[0]?.path ?? '', content: edited }])[0]).toMatchObject({
      status: 'stale',
      actualVersion: '3',
    });
  });

  it('reports a file we did not write (no marker) as stale with a null version', () => {
    expect(templateStatus(expected.slice(0, 1), [{ path: expected[0]?.path ?? '', content: 'name: theirs\n' }])[0]).toEqual({
      path: expected[0]?.path,
      status: 'stale',
      expectedVersion: '3',
      actualVersion: null,
    });
  });
});

describe('templateVersion and overallTemplateStatus', () => {
  it('reads the marker wherever its line is, and only a whole marker line', () => {
    expect(templateVersion('name: x\n#  ai-implement-template:  7b \n')).toBe('7b');
    expect(templateVersion('echo "# ai-implement-template: 9"')).toBeNull();
    expect(templateVersion('')).toBeNull();
  });

  it('is missing over stale over current', () => {
    const e = (status: 'current' | 'stale' | 'missing') => ({ path: 'p', status, expectedVersion: '1' });
    expect(overallTemplateStatus([e('current'), e('stale'), e('missing')])).toBe('missing');
    expect(overallTemplateStatus([e('current'), e('stale')])).toBe('stale');
    expect(overallTemplateStatus([e('current')])).toBe('current');
    expect(overallTemplateStatus([])).toBe('current');
  });
});
