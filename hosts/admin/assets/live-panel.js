// @ts-check
import { h } from './dom.js';

/**
 * What live updates need from the page: the connection-state badge in the top bar, whether the
 * open panel may be redrawn now (not while the operator is typing in it), and a swap of the old
 * panel for the new one that keeps the filter text, open sections, focus and scroll position.
 */

/** @typedef {import('./live.js').LiveState} LiveState */

/** @type {Record<LiveState, string>} */
const LABELS = { connecting: 'Connecting…', live: 'Live', reconnecting: 'Reconnecting…', offline: 'Offline' };

export function liveIndicator() {
  const text = h('span', { class: 'live-text' }, LABELS.connecting);
  const element = h(
    'span',
    { id: 'live-state', class: 'live-state', 'data-state': 'connecting', 'aria-live': 'polite', title: 'Connecting…' },
    h('span', { class: 'live-dot', 'aria-hidden': 'true' }),
    text,
  );
  /** @type {LiveState} */
  let state = 'connecting';
  let everLive = false;
  return {
    element,
    state: () => state,
    /** True once the stream has been up: a later `live` is a recovery. */
    everLive: () => everLive,
    /** @param {LiveState} next @param {string} detail */
    set(next, detail) {
      if (state === 'live' && next === 'live') return;
      if (next === 'live') everLive = true;
      state = next;
      element.dataset.state = next;
      element.title = detail;
      text.textContent = LABELS[next];
    },
  };
}

const TYPING = 'input:not([type="search"]):not([type="checkbox"]):not([type="radio"]):not([type="button"]), textarea, select';

/**
 * True while a redraw would lose what the operator is doing: a stepper or a panel part marked
 * `data-live-hold` is open, focus is in a text field, or a field holds unsaved text.
 * @param {HTMLElement} root
 */
export function panelBusy(root) {
  if (root.querySelector('form.stepper, [data-live-hold]')) return true;
  const active = document.activeElement;
  if (active && root.contains(active) && active.matches(TYPING)) return true;
  for (const field of root.querySelectorAll('input, textarea')) {
    const input = /** @type {HTMLInputElement | HTMLTextAreaElement} */ (field);
    if (input.type === 'search' || input.type === 'checkbox' || input.type === 'radio') continue;
    if (input.value !== input.defaultValue) return true;
  }
  return false;
}

/**
 * Replaces `old` by `next` in place, carrying over search-box text (by id, re-applied with an
 * `input` event so the panel filters again), which `<details>` were open, focus (a search box,
 * or the same link or button), and the scroll position.
 * @param {HTMLElement} old
 * @param {HTMLElement} next
 */
export function swapPanel(old, next) {
  const scroller = document.scrollingElement;
  const scrollTop = scroller?.scrollTop ?? 0;
  const active = /** @type {HTMLInputElement | null} */ (old.contains(document.activeElement) ? document.activeElement : null);
  /** @type {HTMLInputElement | undefined} */
  let refocus;
  for (const field of old.querySelectorAll('input[type="search"][id]')) {
    const before = /** @type {HTMLInputElement} */ (field);
    const after = /** @type {HTMLInputElement | null} */ (next.querySelector(`#${CSS.escape(before.id)}`));
    if (!after) continue;
    if (after.value !== before.value) {
      after.value = before.value;
      after.dispatchEvent(new Event('input'));
    }
    if (active === before) refocus = after;
  }
  const openSummaries = new Set([...old.querySelectorAll('details[open] > summary')].map((summary) => summary.textContent ?? ''));
  for (const summary of next.querySelectorAll('details > summary')) {
    if (openSummaries.has(summary.textContent ?? '')) summary.parentElement?.setAttribute('open', '');
  }
  // A keyboard user on a link or button keeps their place: the same control in the new panel.
  const twin = active && !refocus ? sameControl(active, next) : undefined;
  old.replaceWith(next);
  if (refocus) {
    const start = active?.selectionStart ?? refocus.value.length;
    refocus.focus();
    refocus.setSelectionRange(start, start);
  } else if (twin) {
    twin.focus();
  }
  if (scroller) scroller.scrollTop = scrollTop;
}

/**
 * The link or button in `root` that matches `control` (same tag, href and text), if any.
 * @param {Element} control
 * @param {HTMLElement} root
 * @returns {HTMLElement | undefined}
 */
function sameControl(control, root) {
  if (control.tagName !== 'A' && control.tagName !== 'BUTTON') return undefined;
  const href = control.getAttribute('href');
  for (const candidate of root.querySelectorAll(control.tagName)) {
    if (candidate.getAttribute('href') === href && candidate.textContent === control.textContent) {
      return /** @type {HTMLElement} */ (candidate);
    }
  }
  return undefined;
}
