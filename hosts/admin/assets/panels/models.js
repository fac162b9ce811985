// @ts-check
import { api } from '../api.js';
import { badge, errorBox, h, kpiGrid, runnerName, stack, table } from '../dom.js';

/**
 * Configure → Models & providers: read-only, derived from the project mappings. Model ids
 * live in each target repository's WORKFLOW.md and PLANNING.md, not here.
 */

/** @param {HTMLElement} root */
export async function render(root) {
  const [res, mode] = await Promise.all([api.get('/api/mappings'), api.get('/api/runner-mode')]);
  if (!res.ok) {
    root.append(errorBox(res.error));
    return;
  }
  /** @type {any[]} */
  const mappings = res.data.mappings;
  const bedrock = mappings.filter((m) => m.provider === 'bedrock');
  const regions = new Set(bedrock.map((m) => m.awsRegion).filter(Boolean));
  const override = mode.ok && mode.data.effective !== 'default' ? mode.data.effective : null;

  root.append(
    kpiGrid(
      [
        { label: 'Projects', value: mappings.length },
        { label: 'Anthropic', value: mappings.filter((m) => m.provider === 'anthropic').length },
        { label: 'Bedrock', value: bedrock.length },
        { label: 'Bedrock regions', value: regions.size, hint: [...regions].join(', ') || undefined },
      ],
      'Providers in use',
    ),
    h(
      'p',
      { class: 'muted' },
      "Model ids are set in each target repository's WORKFLOW.md and PLANNING.md front matter; this page does not edit them.",
    ),
    table({
      caption: 'Provider per project',
      captionHidden: true,
      rows: mappings,
      empty: 'No projects yet.',
      columns: [
        { label: 'Team', cell: (m) => m.teamKey },
        { label: 'Repo', cell: (m) => `${m.owner}/${m.repo}` },
        { label: 'Provider', cell: (m) => badge(m.provider, m.provider === 'bedrock' ? 'info' : 'neutral') },
        {
          label: 'Bedrock region',
          cell: (m) =>
            m.provider !== 'bedrock' ? h('span', { class: 'muted' }, 'n/a') : m.awsRegion ? m.awsRegion : badge('missing', 'bad'),
        },
        {
          label: 'Planning',
          cell: (m) =>
            m.planningEnabled
              ? badge(m.autoApprovePlans ? 'on, auto-approve' : 'on, manual approval', 'good')
              : badge('off', 'neutral'),
        },
        {
          label: 'Runner mode',
          cell: (m) =>
            stack(runnerName(m.executionMode), override ? h('span', { class: 'muted' }, `overridden: ${override}`) : null),
        },
      ],
    }),
  );
}
