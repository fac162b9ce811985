// @ts-check
import { h, svg } from './dom.js';

const HOUR_MS = 60 * 60_000;

/**
 * Counts of timestamps in each of the last `hours` whole hours, oldest first; the last bucket
 * is the current, partial hour.
 * @param {number[]} times epoch ms
 * @param {number} now
 * @param {number} [hours]
 */
export function hourlyBuckets(times, now, hours = 24) {
  const end = Math.floor(now / HOUR_MS) * HOUR_MS + HOUR_MS;
  const start = end - hours * HOUR_MS;
  const counts = new Array(hours).fill(0);
  for (const t of times) {
    if (t >= start && t < end) counts[Math.floor((t - start) / HOUR_MS)] += 1;
  }
  return counts.map((count, i) => ({ start: start + i * HOUR_MS, count }));
}

const HOUR = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });

/**
 * A small bar chart of dispatches per hour, drawn as inline SVG (no style attributes, so it
 * needs nothing from the CSP). Each bar carries a tooltip; the figure's label states the totals.
 * @param {{ start: number, count: number }[]} buckets
 */
export function barChart(buckets) {
  const width = 480;
  const height = 120;
  const top = 8;
  const bottom = 20;
  const max = Math.max(1, ...buckets.map((b) => b.count));
  const total = buckets.reduce((sum, b) => sum + b.count, 0);
  const slot = width / buckets.length;
  const peak = buckets.reduce((best, b) => (b.count > best.count ? b : best), buckets[0] ?? { start: 0, count: 0 });
  const label =
    total === 0
      ? 'No dispatches in the last 24 hours'
      : `${total} dispatch${total === 1 ? '' : 'es'} in the last 24 hours; busiest hour ${HOUR.format(peak.start)} with ${peak.count}`;

  const chart = svg('svg', {
    viewBox: `0 0 ${width} ${height}`,
    class: 'chart',
    role: 'img',
    'aria-label': label,
  });
  chart.append(svg('line', { x1: 0, x2: width, y1: height - bottom, y2: height - bottom, class: 'chart-axis' }));
  buckets.forEach((b, i) => {
    const barHeight = b.count === 0 ? 0 : Math.max(2, ((height - top - bottom) * b.count) / max);
    const bar = svg('rect', {
      x: (i * slot + 2).toFixed(1),
      y: (height - bottom - barHeight).toFixed(1),
      width: (slot - 4).toFixed(1),
      height: barHeight.toFixed(1),
      rx: 1.5,
      class: 'chart-bar',
    });
    bar.append(svg('title', {}, `${HOUR.format(b.start)}: ${b.count} dispatch${b.count === 1 ? '' : 'es'}`));
    chart.append(bar);
  });
  for (const i of [0, 6, 12, 18, buckets.length - 1]) {
    const b = buckets[i];
    if (!b) continue;
    const anchor = i === 0 ? 'start' : i === buckets.length - 1 ? 'end' : 'middle';
    const x = i === 0 ? 2 : i === buckets.length - 1 ? width - 2 : i * slot + slot / 2;
    chart.append(
      svg('text', { x: x.toFixed(1), y: height - 5, 'text-anchor': anchor, class: 'chart-label' }, HOUR.format(b.start)),
    );
  }
  return h('figure', { class: 'chart-figure' }, chart, h('figcaption', { class: 'muted' }, label));
}

const SERIES = 6;

/**
 * Dollars per day per team (Usage panel): one slot per day, one bar per team inside it, each
 * with a tooltip; the series' colours come from classes (`chart-series-N`, cycling), so the CSP
 * needs nothing. The figure's label states the total and the busiest day.
 * @param {string[]} days YYYY-MM-DD, oldest first
 * @param {{ name: string, values: number[] }[]} series one value per day
 */
export function groupedDailyChart(days, series) {
  const width = 720;
  const height = 160;
  const top = 8;
  const bottom = 20;
  const all = series.flatMap((s) => s.values);
  const max = Math.max(0.01, ...all);
  const perDay = days.map((_, i) => series.reduce((sum, s) => sum + (s.values[i] ?? 0), 0));
  const total = perDay.reduce((a, b) => a + b, 0);
  const peak = perDay.reduce((best, v, i) => (v > (perDay[best] ?? 0) ? i : best), 0);
  const label =
    total === 0
      ? `No spend between ${days[0] ?? ''} and ${days[days.length - 1] ?? ''}`
      : `$${total.toFixed(2)} from ${days[0]} to ${days[days.length - 1]}; most on ${days[peak]} ($${(perDay[peak] ?? 0).toFixed(2)})`;
  const chart = svg('svg', { viewBox: `0 0 ${width} ${height}`, class: 'chart', role: 'img', 'aria-label': label });
  chart.append(svg('line', { x1: 0, x2: width, y1: height - bottom, y2: height - bottom, class: 'chart-axis' }));
  const slot = width / Math.max(1, days.length);
  const bar = Math.max(1, (slot - 4) / Math.max(1, series.length));
  days.forEach((day, i) => {
    series.forEach((s, j) => {
      const value = s.values[i] ?? 0;
      const barHeight = value === 0 ? 0 : Math.max(2, ((height - top - bottom) * value) / max);
      const rect = svg('rect', {
        x: (i * slot + 2 + j * bar).toFixed(1),
        y: (height - bottom - barHeight).toFixed(1),
        width: Math.max(0.5, bar - 0.5).toFixed(1),
        height: barHeight.toFixed(1),
        class: `chart-bar chart-series-${j % SERIES}`,
      });
      rect.append(svg('title', {}, `${day} · ${s.name}: $${value.toFixed(2)}`));
      chart.append(rect);
    });
  });
  for (const i of [0, Math.floor(days.length / 2), days.length - 1]) {
    const day = days[i];
    if (day === undefined) continue;
    const anchor = i === 0 ? 'start' : i === days.length - 1 ? 'end' : 'middle';
    const x = i === 0 ? 2 : i === days.length - 1 ? width - 2 : i * slot + slot / 2;
    chart.append(svg('text', { x: x.toFixed(1), y: height - 5, 'text-anchor': anchor, class: 'chart-label' }, day.slice(5)));
  }
  const legend = h(
    'ul',
    { class: 'chart-legend', 'aria-label': 'Teams' },
    series.map((s, j) => h('li', {}, h('span', { class: `chart-swatch chart-series-${j % SERIES}` }), ` ${s.name}`)),
  );
  return h('figure', { class: 'chart-figure' }, chart, legend, h('figcaption', { class: 'muted' }, label));
}
