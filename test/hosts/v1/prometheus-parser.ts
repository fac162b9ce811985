/**
 * A strict parser of the Prometheus text exposition format 0.0.4, standing in for
 * `promtool check metrics` where promtool is not installed. It throws, naming the line, on
 * anything a scraper would reject or that breaks the format's rules: a sample before its
 * family's TYPE, a family split in two, a second HELP or TYPE, a bad metric or label name,
 * an escape other than `\\`, `\"`, `\n` in a label value, a repeated label, a duplicate
 * series, an unparsable value, or a histogram whose buckets are not cumulative or whose
 * `+Inf` bucket differs from its `_count`.
 */

export interface ParsedSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface ParsedFamily {
  name: string;
  help?: string;
  type: string;
  samples: ParsedSample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

function parseValue(text: string, where: string): number {
  if (text === 'NaN') return Number.NaN;
  if (text === '+Inf' || text === 'Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) throw new Error(`${where}: bad value ${JSON.stringify(text)}`);
  return Number(text);
}

function unescapeHelp(text: string, where: string): string {
  return text.replace(/\\(.?)/g, (_, c: string) => {
    if (c === '\\') return '\\';
    if (c === 'n') return '\n';
    throw new Error(`${where}: bad escape in HELP`);
  });
}

/** `{a="x",b="y"}` starting at `at`; returns the labels and the index after `}`. */
function parseLabels(line: string, at: number, where: string): { labels: Record<string, string>; end: number } {
  const labels: Record<string, string> = {};
  let i = at + 1;
  for (;;) {
    if (line[i] === '}') return { labels, end: i + 1 };
    const eq = line.indexOf('=', i);
    if (eq === -1) throw new Error(`${where}: label without =`);
    const name = line.slice(i, eq);
    if (!LABEL_NAME.test(name)) throw new Error(`${where}: bad label name ${JSON.stringify(name)}`);
    if (name in labels) throw new Error(`${where}: label ${name} twice`);
    if (line[eq + 1] !== '"') throw new Error(`${where}: label value not quoted`);
    let value = '';
    let j = eq + 2;
    for (;;) {
      const c = line[j];
      if (c === undefined) throw new Error(`${where}: unterminated label value`);
      if (c === '"') break;
      if (c === '\\') {
        const next = line[j + 1];
        if (next === '\\') value += '\\';
        else if (next === '"') value += '"';
        else if (next === 'n') value += '\n';
        else throw new Error(`${where}: bad escape \\${next ?? ''} in label value`);
        j += 2;
        continue;
      }
      value += c;
      j += 1;
    }
    labels[name] = value;
    i = j + 1;
    if (line[i] === ',') i += 1;
    else if (line[i] !== '}') throw new Error(`${where}: expected , or } after label ${name}`);
  }
}

function familyOf(name: string, types: Map<string, string>): string | undefined {
  if (types.has(name)) return name;
  for (const suffix of ['_bucket', '_sum', '_count']) {
    if (!name.endsWith(suffix)) continue;
    const base = name.slice(0, -suffix.length);
    const type = types.get(base);
    if (type === 'histogram' || (type === 'summary' && suffix !== '_bucket')) return base;
  }
  return undefined;
}

export function parseExposition(text: string): Map<string, ParsedFamily> {
  if (!text.endsWith('\n')) throw new Error('the exposition must end with a newline');
  const families = new Map<string, ParsedFamily>();
  const types = new Map<string, string>();
  const helps = new Set<string>();
  const series = new Set<string>();
  const finished = new Set<string>();
  let current: string | undefined;

  text
    .slice(0, -1)
    .split('\n')
    .forEach((line, index) => {
      const where = `line ${index + 1}`;
      if (line === '') throw new Error(`${where}: empty line`);
      if (line.startsWith('#')) {
        const meta = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
        if (!meta) return; // a plain comment
        const [, kind, name = '', rest = ''] = meta;
        if (!METRIC_NAME.test(name)) throw new Error(`${where}: bad metric name ${name}`);
        if (finished.has(name) || families.get(name)?.samples.length)
          throw new Error(`${where}: ${kind} for ${name} after its samples`);
        if (kind === 'HELP') {
          if (helps.has(name)) throw new Error(`${where}: second HELP for ${name}`);
          helps.add(name);
          const family = families.get(name) ?? { name, type: 'untyped', samples: [] };
          family.help = unescapeHelp(rest, where);
          families.set(name, family);
        } else {
          if (types.has(name)) throw new Error(`${where}: second TYPE for ${name}`);
          if (!TYPES.has(rest)) throw new Error(`${where}: unknown type ${rest}`);
          types.set(name, rest);
          const family = families.get(name) ?? { name, type: rest, samples: [] };
          family.type = rest;
          families.set(name, family);
        }
        if (current !== undefined && current !== name) finished.add(current);
        current = name;
        return;
      }

      const nameEnd = line.search(/[{ ]/);
      if (nameEnd <= 0) throw new Error(`${where}: no metric name`);
      const name = line.slice(0, nameEnd);
      if (!METRIC_NAME.test(name)) throw new Error(`${where}: bad metric name ${name}`);
      const family = familyOf(name, types);
      if (!family) throw new Error(`${where}: sample ${name} before its TYPE line`);
      if (finished.has(family)) throw new Error(`${where}: family ${family} split in two`);
      if (current !== undefined && current !== family) finished.add(current);
      current = family;

      let labels: Record<string, string> = {};
      let rest = nameEnd;
      if (line[nameEnd] === '{') ({ labels, end: rest } = parseLabels(line, nameEnd, where));
      if (line[rest] !== ' ') throw new Error(`${where}: expected a space before the value`);
      const fields = line.slice(rest + 1).split(' ');
      if (fields.length > 2 || fields[0] === '') throw new Error(`${where}: expected "value [timestamp]"`);
      const value = parseValue(fields[0]!, where);
      if (fields[1] !== undefined && !/^-?\d+$/.test(fields[1])) throw new Error(`${where}: bad timestamp`);

      const key = `${name}{${Object.entries(labels)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .join(',')}}`;
      if (series.has(key)) throw new Error(`${where}: duplicate series ${key}`);
      series.add(key);
      if (types.get(family) === 'counter' && !(value >= 0)) throw new Error(`${where}: negative counter`);
      families.get(family)!.samples.push({ name, labels, value });
    });

  for (const family of families.values()) if (family.type === 'histogram') checkHistogram(family);
  return families;
}

function checkHistogram(family: ParsedFamily): void {
  const groups = new Map<string, { buckets: [number, number][]; sum?: number; count?: number }>();
  for (const sample of family.samples) {
    const { le, ...rest } = sample.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    const group = groups.get(key) ?? { buckets: [] };
    groups.set(key, group);
    if (sample.name.endsWith('_bucket')) {
      if (le === undefined) throw new Error(`${family.name}: bucket without le`);
      group.buckets.push([parseValue(le, family.name), sample.value]);
    } else if (sample.name.endsWith('_sum')) group.sum = sample.value;
    else if (sample.name.endsWith('_count')) group.count = sample.value;
  }
  for (const group of groups.values()) {
    const sorted = [...group.buckets].sort((a, b) => a[0] - b[0]);
    const inf = sorted.at(-1);
    if (!inf || inf[0] !== Number.POSITIVE_INFINITY) throw new Error(`${family.name}: no +Inf bucket`);
    for (let i = 1; i < sorted.length; i++)
      if (sorted[i]![1] < sorted[i - 1]![1]) throw new Error(`${family.name}: buckets not cumulative`);
    if (group.count !== inf[1]) throw new Error(`${family.name}: +Inf bucket differs from _count`);
    if (group.sum === undefined) throw new Error(`${family.name}: no _sum`);
  }
}

/** The value of one series, or undefined when it is absent. */
export function sampleValue(
  families: Map<string, ParsedFamily>,
  family: string,
  labels: Record<string, string> = {},
  name = family,
): number | undefined {
  const samples = families.get(family)?.samples ?? [];
  const wanted = Object.entries(labels);
  return samples.find(
    (s) => s.name === name && Object.keys(s.labels).length === wanted.length && wanted.every(([k, v]) => s.labels[k] === v),
  )?.value;
}
