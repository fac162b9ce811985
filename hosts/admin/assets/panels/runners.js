// @ts-check
import { api } from '../api.js';
import { capacityMeter, errorBox, h, kpiGrid, runnerName, section, table } from '../dom.js';
import { runnerModeControl } from './runner-mode.js';

/** Platform → Runners: the runner-mode override, live Fly sessions, capacity, reaper activity. */

/** @param {HTMLElement} root @param {import('./index.js').PanelContext} ctx */
export async function render(root, ctx) {
  const [mode, sessions, issues, reaper, mappings] = await Promise.all([
    api.get('/api/runner-mode'),
    api.get('/api/sessions'),
    api.get('/api/issues?limit=0'), // only the in-progress counts
    api.get('/api/reaper/summary'),
    api.get('/api/mappings'),
  ]);
  if (!mode.ok) {
    root.append(errorBox(mode.error));
    return;
  }
  /** @type {{ teamKey: string, count: number, cap: number }[]} */
  const inProgress = issues.ok ? issues.data.inProgress : [];
  const used = inProgress.reduce((s, m) => s + m.count, 0);
  const cap = inProgress.reduce((s, m) => s + m.cap, 0);
  /** @type {any[]} */
  const projects = mappings.ok ? mappings.data.mappings : [];
  /** @type {Map<string, number>} */
  const modes = new Map();
  for (const m of projects) modes.set(m.executionMode, (modes.get(m.executionMode) ?? 0) + 1);

  root.append(
    kpiGrid(
      [
        {
          label: 'Runner-mode override',
          value: mode.data.stored ?? 'default',
          hint: mode.data.envLocked ? `RUNNER_MODE=${mode.data.env} wins` : undefined,
        },
        {
          label: 'Live Fly sessions',
          value: sessions.ok ? sessions.data.sessions.length : '—',
          hint: sessions.ok ? undefined : sessions.error,
        },
        {
          label: 'Capacity',
          value: issues.ok ? `${used} / ${cap}` : '—',
          hint: issues.ok ? 'in-progress runs / total cap' : issues.error,
        },
        {
          label: 'Reaper destructions (24 h)',
          value: reaper.ok ? reaper.data.destroyed : '—',
          hint: reaper.ok ? `${reaper.data.dryRun} dry runs` : reaper.error,
        },
      ],
      'Runner infrastructure',
    ),
    section(
      'Execution mode',
      h(
        'dl',
        { class: 'facts' },
        h('dt', {}, 'Configured (per project)'),
        h('dd', {}, modes.size ? [...modes].map(([m, n]) => `${runnerName(m)} × ${n}`).join(', ') : 'no projects'),
      ),
      runnerModeControl(mode.data, () => {
        ctx.status('Runner mode saved.', 'good');
        ctx.rerender();
      }),
    ),
    section(
      'Capacity',
      cap > 0
        ? h('p', {}, capacityMeter(used, cap, 'In-progress runs against the total cap'))
        : h('p', { class: 'muted' }, 'No projects yet.'),
      table({
        caption: 'Capacity per project',
        captionHidden: true,
        rows: inProgress,
        empty: 'No projects yet.',
        columns: [
          { label: 'Project', cell: (m) => m.teamKey },
          { label: 'Utilisation', cell: (m) => capacityMeter(m.count, m.cap, `${m.teamKey} capacity`) },
        ],
      }),
    ),
  );
}
