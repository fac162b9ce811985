// @ts-check
import { api } from '../api.js';
import { badge, errorBox, h, kpiGrid, section, table, time } from '../dom.js';
import { runnerModeControl } from './runner-mode.js';

/** Platform → Reaper: the runner-mode toggle, 24-hour destructions by rule, recent actions. */

const RULES = ['orphan', 'stale-terminal-job', 'max-age-exceeded', 'issue-terminal'];

/** @param {HTMLElement} root @param {import('./index.js').PanelContext} ctx */
export async function render(root, ctx) {
  const [mode, summary, recent] = await Promise.all([
    api.get('/api/runner-mode'),
    api.get('/api/reaper/summary'),
    api.get('/api/reaper/recent'),
  ]);
  if (mode.ok) {
    root.append(
      section(
        'Runner mode',
        runnerModeControl(mode.data, () => {
          ctx.status('Runner mode saved.', 'good');
          ctx.rerender();
        }),
      ),
    );
  }
  root.append(
    summary.ok
      ? kpiGrid(
          [
            {
              label: 'Actions (24 h)',
              value: summary.data.total,
              hint: `${summary.data.destroyed} destroyed, ${summary.data.dryRun} dry runs`,
            },
            ...RULES.map((rule) => ({ label: rule, value: summary.data.byRule?.[rule] ?? 0 })),
          ],
          'Reaper actions in the last 24 hours by rule',
        )
      : errorBox(summary.error),
    section(
      'Recent actions',
      recent.ok
        ? table({
            caption: 'Recent reaper actions',
            captionHidden: true,
            rows: /** @type {any[]} */ (recent.data.actions),
            empty: 'The reaper has not acted yet.',
            columns: [
              { label: 'When', cell: (a) => time(a.at) },
              { label: 'Rule', cell: (a) => a.rule },
              { label: 'Machine', cell: (a) => h('code', {}, a.machineId) },
              { label: 'Tenant', cell: (a) => a.tenant ?? '—' },
              { label: 'Issue', cell: (a) => a.issue ?? '—' },
              { label: 'Age (s)', numeric: true, cell: (a) => a.ageSeconds },
              { label: 'Action', cell: (a) => badge(a.action, a.action === 'destroyed' ? 'bad' : 'neutral') },
            ],
          })
        : errorBox(recent.error),
    ),
  );
}
