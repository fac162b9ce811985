import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { boundedStep, STEP_FIELD_MAX_CHARS, STEP_OUTPUT_MAX_CHARS } from '../../core/domain/step-bounds.js';

const step = { id: 'test', type: 'command', status: 'running', started_at: '2026-12-07T10:00:00Z' };

describe('a step report as a job history keeps it', () => {
  it('keeps a report within the bounds as it is (the same values)', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), fc.string({ maxLength: 50 }), (output, id) => {
        const report = { ...step, id, output, finished_at: 'later' };
        expect(boundedStep(report)).toEqual(report);
      }),
    );
  });

  it('cuts each field past its bound, and a JSON output past it becomes the head of its text', () => {
    const cut = boundedStep({ ...step, status: 's'.repeat(10_000), output: { big: 'y'.repeat(100_000) } });
    expect(cut.status.length).toBe(STEP_FIELD_MAX_CHARS);
    expect(typeof cut.output).toBe('string');
    expect((cut.output as unknown as string).length).toBe(STEP_OUTPUT_MAX_CHARS);
    expect((cut.output as unknown as string).startsWith('{"big":"yyy')).toBe(true);
  });

  it('leaves an output too deep to write as it is (the store refuses it, as before)', () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 20_000; i++) deep = [deep];
    expect(boundedStep({ ...step, output: deep }).output).toBe(deep);
  });
});
