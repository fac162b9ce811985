// @ts-check
import { h } from './dom.js';

/**
 * A unified diff as text: one line per element, classed by its first character so the stylesheet
 * can colour it. Every line is a text node: a diff that adds `<script>` shows those characters.
 */

/** @param {string} line */
function lineClass(line) {
  if (line.startsWith('diff --git') || line.startsWith('+++ ') || line.startsWith('--- ') || line.startsWith('index '))
    return 'diff-file';
  if (line.startsWith('@@')) return 'diff-hunk';
  if (line.startsWith('+')) return 'diff-add';
  if (line.startsWith('-')) return 'diff-del';
  return 'diff-ctx';
}

/**
 * @param {string} diff
 * @param {string} label
 */
export function diffView(diff, label) {
  const lines = diff.endsWith('\n') ? diff.slice(0, -1).split('\n') : diff.split('\n');
  return h(
    'pre',
    { class: 'diff', tabindex: 0, role: 'region', 'aria-label': label },
    h(
      'code',
      {},
      lines.map((line) => h('span', { class: lineClass(line) }, `${line}\n`)),
    ),
  );
}
