import { describe, expect, it } from 'vitest';
import { createHistogram, escapeLabelValue, renderExposition } from '../../../core/app/views/metrics-exposition.js';
import { parseExposition, sampleValue } from './prometheus-parser.js';

describe('the exposition writer', () => {
  it('escapes label values so that they parse back to what was written', () => {
    const nasty = 'a"b\\c\nd}e,f=g';
    expect(escapeLabelValue(nasty)).toBe('a\\"b\\\\c\\nd}e,f=g');
    const text = renderExposition([
      {
        name: 'x_total',
        help: 'with a \\ and a\nnewline',
        type: 'counter',
        samples: [{ labels: { team_key: nasty }, value: 3 }],
      },
    ]);
    expect(text.split('\n')).toHaveLength(4); // HELP, TYPE, one sample, and the final newline
    const parsed = parseExposition(text);
    expect(parsed.get('x_total')?.help).toBe('with a \\ and a\nnewline');
    expect(sampleValue(parsed, 'x_total', { team_key: nasty })).toBe(3);
  });

  it('writes HELP and TYPE before the samples, and refuses a duplicate series or family', () => {
    const text = renderExposition([{ name: 'g', help: 'h', type: 'gauge', samples: [{ value: 1 }] }]);
    expect(text).toBe('# HELP g h\n# TYPE g gauge\ng 1\n');
    expect(() =>
      renderExposition([
        {
          name: 'g',
          help: 'h',
          type: 'gauge',
          samples: [
            { labels: { a: '1' }, value: 1 },
            { labels: { a: '1' }, value: 2 },
          ],
        },
      ]),
    ).toThrow(/duplicate series/);
    expect(() =>
      renderExposition([
        { name: 'g', help: 'h', type: 'gauge', samples: [] },
        { name: 'g', help: 'h', type: 'gauge', samples: [] },
      ]),
    ).toThrow(/twice/);
    expect(() => renderExposition([{ name: 'bad-name', help: 'h', type: 'gauge', samples: [] }])).toThrow(/metric name/);
  });

  it('keeps histogram buckets cumulative, with +Inf equal to the count', () => {
    const histogram = createHistogram([1, 0.1, 10]);
    for (const value of [0.05, 0.5, 0.5, 20]) histogram.observe(value);
    const parsed = parseExposition(
      renderExposition([{ name: 'd_seconds', help: 'h', type: 'histogram', samples: histogram.samples() }]),
    );
    const bucket = (le: string) => sampleValue(parsed, 'd_seconds', { le }, 'd_seconds_bucket');
    expect([bucket('0.1'), bucket('1'), bucket('10'), bucket('+Inf')]).toEqual([1, 3, 3, 4]);
    expect(sampleValue(parsed, 'd_seconds', {}, 'd_seconds_count')).toBe(4);
    expect(sampleValue(parsed, 'd_seconds', {}, 'd_seconds_sum')).toBeCloseTo(21.05);
  });
});

describe('the test parser itself rejects what a scraper would', () => {
  const bad: [string, string, RegExp][] = [
    ['a sample before its TYPE', 'x 1\n', /before its TYPE/],
    ['a bad escape', '# TYPE x gauge\nx{a="\\t"} 1\n', /bad escape/],
    ['an unquoted label value', '# TYPE x gauge\nx{a=1} 1\n', /not quoted/],
    ['a duplicate series', '# TYPE x gauge\nx{a="1",b="2"} 1\nx{b="2",a="1"} 2\n', /duplicate series/],
    ['a family split in two', '# TYPE x gauge\n# TYPE y gauge\nx 1\ny 1\nx{a="1"} 1\n', /split/],
    ['a second TYPE', '# TYPE x gauge\n# TYPE x counter\n', /second TYPE/],
    ['no final newline', '# TYPE x gauge\nx 1', /newline/],
    ['a bad value', '# TYPE x gauge\nx one\n', /bad value/],
    ['a repeated label', '# TYPE x gauge\nx{a="1",a="2"} 1\n', /twice/],
    ['a broken histogram', '# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n', /cumulative/],
  ];
  for (const [what, text, error] of bad) it(`fails on ${what}`, () => expect(() => parseExposition(text)).toThrow(error));
});
