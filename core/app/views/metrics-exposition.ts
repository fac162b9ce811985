/**
 * Prometheus text exposition format 0.0.4: one HELP and one TYPE line per family, then its
 * samples. Label values escape `\`, `"` and newline; HELP text escapes `\` and newline. The
 * same series twice is a bug in the caller, so it throws rather than emit an invalid page.
 */

export const EXPOSITION_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export type Labels = Readonly<Record<string, string>>;

export interface Sample {
  /** Appended to the family name: `_bucket`, `_sum`, `_count` for a histogram. */
  suffix?: string;
  labels?: Labels;
  value: number;
}

export interface MetricFamily {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram';
  samples: Sample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(value);
}

function formatLabels(labels: Labels | undefined): string {
  const entries = Object.entries(labels ?? {});
  if (entries.length === 0) return '';
  for (const [name] of entries) if (!LABEL_NAME.test(name)) throw new Error(`invalid label name: ${name}`);
  return `{${entries.map(([name, value]) => `${name}="${escapeLabelValue(value)}"`).join(',')}}`;
}

export function renderExposition(families: readonly MetricFamily[]): string {
  const seen = new Set<string>();
  const lines: string[] = [];
  for (const family of families) {
    if (!METRIC_NAME.test(family.name)) throw new Error(`invalid metric name: ${family.name}`);
    if (seen.has(`#${family.name}`)) throw new Error(`metric family twice: ${family.name}`);
    seen.add(`#${family.name}`);
    lines.push(`# HELP ${family.name} ${escapeHelp(family.help)}`, `# TYPE ${family.name} ${family.type}`);
    for (const sample of family.samples) {
      const series = `${family.name}${sample.suffix ?? ''}${formatLabels(sample.labels)}`;
      if (seen.has(series)) throw new Error(`duplicate series: ${series}`);
      seen.add(series);
      lines.push(`${series} ${formatValue(sample.value)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Cumulative bucket counts, in seconds, for one histogram kept in memory. */
export interface Histogram {
  observe(value: number): void;
  samples(): Sample[];
}

export function createHistogram(buckets: readonly number[]): Histogram {
  const bounds = [...buckets].sort((a, b) => a - b);
  const counts = new Array<number>(bounds.length).fill(0);
  let sum = 0;
  let count = 0;
  return {
    observe(value) {
      sum += value;
      count += 1;
      bounds.forEach((bound, i) => {
        if (value <= bound) counts[i] = (counts[i] ?? 0) + 1;
      });
    },
    samples() {
      return [
        ...bounds.map((bound, i) => ({ suffix: '_bucket', labels: { le: formatValue(bound) }, value: counts[i] ?? 0 })),
        { suffix: '_bucket', labels: { le: '+Inf' }, value: count },
        { suffix: '_sum', value: sum },
        { suffix: '_count', value: count },
      ];
    },
  };
}
