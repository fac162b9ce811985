// @ts-check
/**
 * Building blocks for the panels. Every piece of data reaches the page as a text node or an
 * attribute value set through the DOM API, never as markup: a ticket title such as
 * `<img src=x onerror=…>` is shown as those characters. Links accept http(s) URLs only.
 */

/** @typedef {Node | string | number | null | undefined | false | Child[]} Child */
/**
 * @typedef {{
 *   class?: string,
 *   text?: string,
 *   on?: Record<string, (event: any) => void>,
 *   [attribute: string]: unknown,
 * }} Props
 */

/**
 * Creates an element. Props are attributes (`true` sets an empty attribute, `false`/null/undefined
 * leave it out), `on` holds event listeners; `href` goes through safeHref.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Props} [props]
 * @param {...Child} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === 'on') {
      for (const [type, listener] of Object.entries(/** @type {Record<string, EventListener>} */ (value))) {
        el.addEventListener(type, listener);
      }
    } else if (key === 'text') {
      el.textContent = String(value);
    } else if (key === 'href') {
      const href = safeHref(value);
      if (href) el.setAttribute('href', href);
    } else if (value === true) {
      el.setAttribute(key, '');
    } else if (value !== false && value !== null && value !== undefined) {
      el.setAttribute(key, String(value));
    }
  }
  append(el, children);
  return el;
}

/**
 * @param {Element | DocumentFragment} parent
 * @param {Child[]} children
 */
export function append(parent, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(parent, child);
    else if (child instanceof Node) parent.append(child);
    else parent.append(document.createTextNode(String(child)));
  }
}

/** SVG elements for the chart: same rules as h(), no listeners. */
const SVG_NS = 'http://www.w3.org/2000/svg';
/**
 * @param {string} tag
 * @param {Record<string, string | number>} [attrs]
 * @param {...Child} children
 * @returns {SVGElement}
 */
export function svg(tag, attrs = {}, ...children) {
  const el = /** @type {SVGElement} */ (document.createElementNS(SVG_NS, tag));
  for (const [key, value] of Object.entries(attrs)) el.setAttribute(key, String(value));
  for (const child of children) {
    if (child instanceof Node) el.append(child);
    else if (child !== null && child !== undefined && child !== false) el.append(document.createTextNode(String(child)));
  }
  return el;
}

/**
 * An absolute http(s) URL, or undefined: `javascript:` and other schemes never become links.
 * @param {unknown} value
 */
export function safeHref(value) {
  if (typeof value !== 'string' || value === '') return undefined;
  if (value.startsWith('#')) return value;
  try {
    const url = new URL(value, window.location.origin);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A link that opens outside the admin, or plain text when the URL is not http(s).
 * @param {unknown} url
 * @param {Child} label
 */
export function extLink(url, label) {
  const href = safeHref(url);
  if (!href) return h('span', {}, label);
  return h('a', { href, target: '_blank', rel: 'noopener noreferrer' }, label);
}

/** @typedef {'good' | 'bad' | 'warn' | 'info' | 'neutral'} Tone */

/**
 * @param {string} text
 * @param {Tone} [tone]
 */
export function badge(text, tone = 'neutral') {
  return h('span', { class: `badge badge-${tone}` }, text);
}

/** @type {Record<string, Tone>} */
const STATUS_TONES = {
  completed: 'good',
  running: 'info',
  dispatched: 'info',
  failed: 'bad',
  timed_out: 'bad',
  review_failed: 'warn',
  unknown: 'neutral',
};

/** A job status as a coloured badge. @param {string | null | undefined} status */
export function statusBadge(status) {
  const s = status ?? 'unknown';
  return badge(s.replace('_', ' '), STATUS_TONES[s] ?? 'neutral');
}

/**
 * @typedef {{ label: string, value: Child, hint?: Child, tone?: Tone }} Kpi
 * @param {Kpi[]} kpis
 * @param {string} label
 */
export function kpiGrid(kpis, label) {
  return h(
    'ul',
    { class: 'kpis', 'aria-label': label },
    kpis.map((k) =>
      h(
        'li',
        { class: `kpi${k.tone ? ` kpi-${k.tone}` : ''}` },
        h('span', { class: 'kpi-label' }, k.label),
        h('span', { class: 'kpi-value' }, k.value),
        k.hint ? h('span', { class: 'kpi-hint' }, k.hint) : null,
      ),
    ),
  );
}

/**
 * @template T
 * @typedef {{ label: string, cell: (row: T) => Child, numeric?: boolean, class?: string }} Column
 */

/**
 * A table with a caption, column headers and an empty-state row, inside a focusable region
 * that scrolls sideways on narrow screens.
 * @template T
 * @param {{ caption: string, columns: Column<T>[], rows: T[], empty: string, captionHidden?: boolean }} spec
 */
export function table({ caption, columns, rows, empty, captionHidden = false }) {
  const body = h('tbody');
  if (rows.length === 0) {
    body.append(h('tr', {}, h('td', { colspan: columns.length, class: 'empty' }, empty)));
  }
  for (const row of rows) {
    body.append(
      h(
        'tr',
        {},
        columns.map((c) => h('td', { class: cellClass(c) }, c.cell(row))),
      ),
    );
  }
  return h(
    'div',
    { class: 'table-wrap', role: 'region', 'aria-label': caption, tabindex: 0 },
    h(
      'table',
      {},
      h('caption', { class: captionHidden ? 'visually-hidden' : undefined }, caption),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          columns.map((c) => h('th', { scope: 'col', class: cellClass(c) }, c.label)),
        ),
      ),
      body,
    ),
  );
}

/** @param {{ numeric?: boolean, class?: string }} c */
function cellClass(c) {
  return [c.numeric ? 'num' : '', c.class ?? ''].filter(Boolean).join(' ') || undefined;
}

/**
 * A titled block of a panel.
 * @param {string} title
 * @param {...Child} children
 */
export function section(title, ...children) {
  return h('section', { class: 'block' }, h('h2', {}, title), ...children);
}

/** @param {string} message */
export function errorBox(message) {
  return h('p', { class: 'callout callout-bad', role: 'alert' }, message);
}

/** @param {Child} message @param {Tone} [tone] */
export function callout(message, tone = 'info') {
  return h('p', { class: `callout callout-${tone}` }, message);
}

/**
 * A capacity meter with its numbers in words (the meter alone is not read well by every reader).
 * @param {number} used
 * @param {number} total
 * @param {string} label
 */
export function capacityMeter(used, total, label) {
  const pct = total > 0 ? Math.round((used / total) * 100) : 0;
  return h(
    'span',
    { class: 'meter' },
    h('meter', {
      min: 0,
      max: Math.max(total, 1),
      value: used,
      low: total * 0.6,
      high: total * 0.9,
      optimum: 0,
      'aria-label': label,
    }),
    h('span', { class: 'meter-text' }, `${used} / ${total} (${pct}%)`),
  );
}

// ---- formatting ---------------------------------------------------------------------------

const DATE_TIME = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/**
 * A timestamp as a <time> element, readable and exact on hover.
 * @param {string | number | null | undefined} value ISO string or epoch ms
 */
export function time(value) {
  if (value === null || value === undefined || value === '') return h('span', { class: 'muted' }, '—');
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return h('span', {}, String(value));
  return h('time', { datetime: date.toISOString(), title: date.toISOString() }, DATE_TIME.format(date));
}

/**
 * 3s, 4m 05s, 2h 07m, 3d 4h.
 * @param {number | null | undefined} seconds
 */
export function duration(seconds) {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '—';
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  const hrs = Math.floor(m / 60);
  if (hrs < 48) return `${hrs}h ${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(hrs / 24)}d ${hrs % 24}h`;
}

/** @param {number} bytes */
export function bytes(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** @type {Record<string, string>} */
const RUNNER_NAMES = {
  'github-actions': 'GitHub Actions',
  'fly-machines': 'Fly Machines',
  local: 'Local',
  shadow: 'Shadow (dry run)',
};

/** @param {string | null | undefined} runner */
export function runnerName(runner) {
  return runner ? (RUNNER_NAMES[runner] ?? runner) : '—';
}

/**
 * Lines stacked in one cell; each child gets its own box (adjacent text would run together).
 * @param {...Child} lines
 */
export function stack(...lines) {
  return h(
    'span',
    { class: 'stack' },
    lines
      .flat()
      .filter((l) => l !== null && l !== undefined && l !== false)
      .map((l) => (l instanceof Node ? l : h('span', {}, l))),
  );
}

/** A muted dash for a missing value. @param {Child} value */
export function orDash(value) {
  return value === null || value === undefined || value === '' ? h('span', { class: 'muted' }, '—') : value;
}

/**
 * "Newer · 1–25 of 80 · Older" for a list paged newest first (or other labels, for a list in
 * another order); `onPage` gets the new offset.
 * @param {{ offset: number, pageSize: number, total: number, onPage: (offset: number) => void, labels?: [string, string] }} page
 */
export function pager({ offset, pageSize, total, onPage, labels = ['Newer', 'Older'] }) {
  return h(
    'p',
    { class: 'pager' },
    h(
      'button',
      { type: 'button', disabled: offset === 0, on: { click: () => onPage(Math.max(0, offset - pageSize)) } },
      labels[0],
    ),
    ` ${total === 0 ? 0 : offset + 1}–${Math.min(offset + pageSize, total)} of ${total} `,
    h(
      'button',
      { type: 'button', disabled: offset + pageSize >= total, on: { click: () => onPage(offset + pageSize) } },
      labels[1],
    ),
  );
}
