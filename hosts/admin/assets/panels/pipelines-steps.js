// @ts-check
import { api } from '../api.js';
import { badge, callout, errorBox, h, orDash, section, table } from '../dom.js';

/**
 * Configure → Pipelines & steps: each pipeline definition with its steps, then every step
 * module with its built-in path, custom override and status. Older orchestrators lack the
 * endpoint (404): the panel says so instead of failing.
 */

/** @type {Record<string, import('../dom.js').Tone>} */
export const OVERRIDE_TONES = { 'built-in': 'neutral', override: 'warn', additive: 'info' };

/** @param {HTMLElement} root */
export async function render(root) {
  const res = await api.get('/api/pipelines-steps');
  if (!res.ok) {
    root.append(res.status === 404 ? callout('Pipelines & steps are not available on this orchestrator.') : errorBox(res.error));
    return;
  }
  /** @type {any[]} */
  const pipelines = res.data.pipelines ?? [];
  /** @type {any[]} */
  const steps = res.data.steps ?? [];
  root.append(
    section(
      'Pipelines',
      pipelines.length === 0
        ? callout('No pipeline definitions.')
        : h(
            'div',
            { class: 'details-list' },
            pipelines.map((p) =>
              h(
                'details',
                {},
                h(
                  'summary',
                  {},
                  h('strong', {}, p.name),
                  ' ',
                  badge(p.status, OVERRIDE_TONES[p.status] ?? 'neutral'),
                  h('span', { class: 'muted' }, ` ${p.phase} · ${p.customPath ?? p.builtInPath ?? ''}`),
                ),
                h(
                  'ol',
                  { class: 'pipeline-steps' },
                  (p.steps ?? []).map((/** @type {any} */ s) =>
                    h(
                      'li',
                      {},
                      h('code', {}, s.id),
                      s.module !== s.id ? h('span', { class: 'muted' }, ` → module ${s.module}`) : null,
                    ),
                  ),
                ),
              ),
            ),
          ),
    ),
    section(
      'Step modules',
      table({
        caption: 'Step modules and their overrides',
        captionHidden: true,
        rows: steps,
        empty: 'No step modules.',
        columns: [
          { label: 'Module', cell: (s) => h('code', {}, s.name) },
          { label: 'Built-in path', cell: (s) => orDash(s.builtInPath) },
          { label: 'Custom override', cell: (s) => orDash(s.customPath) },
          { label: 'Status', cell: (s) => badge(s.status, OVERRIDE_TONES[s.status] ?? 'neutral') },
          { label: 'Needs', cell: (s) => orDash((s.needs ?? []).join(', ')) },
        ],
      }),
    ),
  );
}
