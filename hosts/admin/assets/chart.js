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
