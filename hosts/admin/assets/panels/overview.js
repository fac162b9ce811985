// @ts-check
import { api, serverNow } from '../api.js';
import { barChart, hourlyBuckets } from '../chart.js';
import {
  badge,
  capacityMeter,
  duration,
  errorBox,
  extLink,
  h,
  kpiGrid,
  runnerName,
  section,
  statusBadge,
  table,
  time,
} from '../dom.js';
import { jobLink } from '../links.js';
import { plural, runnerForMapping } from './effective-runner.js';

/**
 * Work → Overview: running jobs with their duration, failures in the last 24 hours, capacity
 * across projects, projects at their cap, stale workflow templates, and the 24-hour dispatch
 * trend. Each source is fetched on its own so one failing endpoint blanks only its own card.
 * Per project: the runner its next job goes to (after the runner-mode override) and, for GitHub
 * repositories only, whether its workflow templates are current (the local forge runs none).
 */

const DAY_MS = 24 * 60 * 60_000;
const IN_FLIGHT = new Set(['dispatched', 'running']);
const FAILED = new Set(['failed', 'timed_out', 'review_failed']);

/** @param {HTMLElement} root */
export async function render(root) {
  const [log, issues, templates, config, mappings, runnerMode] = await Promise.all([
    api.get('/api/log'),
    api.get('/api/issues?limit=0'), // only the in-progress counts
    api.get('/api/admin/template-status'),
    api.get('/api/admin/config-status'),
    api.get('/api/mappings'),
    api.get('/api/runner-mode'),
  ]);
  const now = serverNow();

  /** @type {any[]} */
  const entries = log.ok ? log.data.entries : [];
  const running = entries.filter((e) => IN_FLIGHT.has(e.status));
  const failed = entries.filter((e) => FAILED.has(e.status) && Date.parse(e.at) >= now - DAY_MS);
  /** @type {{ teamKey: string, count: number, cap: number }[]} */
  const inProgress = issues.ok ? issues.data.inProgress : [];
  const used = inProgress.reduce((sum, m) => sum + m.count, 0);
  const cap = inProgress.reduce((sum, m) => sum + m.cap, 0);
  const atCap = inProgress.filter((m) => m.count >= m.cap);

  /** @type {any[]} */
  const projects = mappings.ok ? mappings.data.mappings : [];
  const forgeOf = new Map(projects.map((m) => [m.teamKey, m.forge ?? 'github']));
  // Workflow templates matter only where GitHub Actions reads them: a GitHub repository.
  /** @type {any[]} */
  const githubRepos = templates.ok
    ? templates.data.repositories.filter((/** @type {any} */ r) => forgeOf.get(r.teamKey) === 'github')
    : [];
  const staleCount = githubRepos.filter((r) => r.status === 'stale' || r.status === 'missing').length;
  const unreadable = githubRepos.filter((r) => r.status === 'unknown').length;
  const templateOf = new Map(githubRepos.map((r) => [r.teamKey, r]));
  const mode = runnerMode.ok ? runnerMode.data.effective : undefined;

  const unavailable = (/** @type {{ ok: boolean, error?: string }} */ r) => (r.ok ? undefined : (r.error ?? 'unavailable'));

  root.append(
    kpiGrid(
      [
        {
          label: 'Running jobs',
          value: log.ok ? running.length : '—',
          hint:
            unavailable(log) ??
            `${running.filter((e) => e.status === 'running').length} running, ${running.filter((e) => e.status === 'dispatched').length} starting`,
          tone: running.length > 0 ? 'info' : undefined,
        },
        {
          label: 'Failed (24 h)',
          value: log.ok ? failed.length : '—',
          hint: unavailable(log) ?? 'failed, timed out or review failed',
          tone: failed.length > 0 ? 'bad' : undefined,
        },
        {
          label: 'Capacity',
          value: issues.ok && cap > 0 ? capacityMeter(used, cap, 'In-progress issues against the total cap') : '—',
          hint: unavailable(issues) ?? (cap > 0 ? 'in progress / total cap across projects' : 'no projects yet'),
        },
        {
          label: 'Projects at cap',
          value: issues.ok ? atCap.length : '—',
          hint: unavailable(issues) ?? (atCap.length > 0 ? atCap.map((m) => m.teamKey).join(', ') : 'none'),
          tone: atCap.length > 0 ? 'warn' : undefined,
        },
        {
          label: 'Stale templates',
          value: templates.ok ? staleCount : '—',
          hint:
            unavailable(templates) ??
            (unreadable > 0
              ? `${plural(unreadable, 'repository', 'repositories')} could not be read`
              : 'GitHub repositories needing a workflow sync'),
          tone: templates.ok && staleCount > 0 ? 'warn' : undefined,
        },
      ],
      'Orchestrator health',
    ),
  );

  root.append(
    section(
      'Dispatches, last 24 hours',
      log.ok
        ? barChart(
            hourlyBuckets(
              entries.map((e) => Date.parse(e.at)),
              now,
            ),
          )
        : errorBox(log.ok ? '' : log.error),
    ),
  );

  root.append(
    section(
      'Running jobs',
      log.ok
        ? table({
            caption: 'Jobs dispatched or running now',
            captionHidden: true,
            rows: running,
            empty: 'Nothing is running.',
            columns: [
              { label: 'Issue', cell: (e) => jobLink(e.jobId, e.identifier) },
              { label: 'Phase', cell: (e) => e.phase },
              { label: 'Repo', cell: (e) => `${e.owner}/${e.repo}` },
              { label: 'Runner', cell: (e) => (e.runUrl ? extLink(e.runUrl, runnerName(e.runner)) : runnerName(e.runner)) },
              { label: 'Status', cell: (e) => statusBadge(e.status) },
              { label: 'Started', cell: (e) => time(e.at) },
              { label: 'Duration', numeric: true, cell: (e) => duration((now - Date.parse(e.at)) / 1000) },
            ],
          })
        : errorBox(log.ok ? '' : log.error),
    ),
  );

  if (mappings.ok && projects.length > 0) {
    root.append(
      section(
        'Projects',
        table({
          caption: 'Each project: where its tickets and code are, and the runner its next job goes to',
          captionHidden: true,
          rows: projects,
          empty: 'No projects.',
          columns: [
            { label: 'Project', cell: (m) => m.teamKey },
            { label: 'Tracker', cell: (m) => m.ticketing ?? 'linear' },
            { label: 'Repository', cell: (m) => `${m.owner}/${m.repo} (${m.forge === 'local' ? 'local forge' : 'GitHub'})` },
            {
              label: 'Runs on',
              cell: (m) => {
                const runner = runnerName(runnerForMapping(mode, m));
                if (!runnerMode.ok) return `${runner} (runner mode unknown)`;
                return mode && mode !== 'default'
                  ? h(
                      'span',
                      { title: `runner mode ${mode} overrides ${runnerName(runnerForMapping('default', m))}` },
                      `${runner} (override)`,
                    )
                  : runner;
              },
            },
            {
              label: 'Templates',
              cell: (m) => {
                if ((m.forge ?? 'github') !== 'github') return h('span', { class: 'muted' }, 'not used (local forge)');
                const t = templateOf.get(m.teamKey);
                if (!t) return h('span', { class: 'muted' }, templates.ok ? '—' : 'unavailable');
                return badge(t.status, t.status === 'current' ? 'good' : t.status === 'unknown' ? 'neutral' : 'warn');
              },
            },
            { label: 'State', cell: (m) => (m.paused ? badge('paused', 'warn') : badge('active', 'good')) },
          ],
        }),
      ),
    );
  }

  if (githubRepos.length > 0) {
    root.append(
      section(
        'Workflow templates',
        table({
          caption: `Workflow templates per GitHub repository (version ${templates.data.templateVersion})`,
          rows: githubRepos,
          empty: 'No repositories.',
          columns: [
            { label: 'Project', cell: (r) => r.teamKey },
            { label: 'Repository', cell: (r) => `${r.repository} @ ${r.branch}` },
            {
              label: 'Status',
              cell: (r) => badge(r.status, r.status === 'current' ? 'good' : r.status === 'unknown' ? 'neutral' : 'warn'),
            },
            {
              label: 'Detail',
              cell: (r) => r.error ?? r.files.map((/** @type {any} */ f) => `${f.path}: ${f.status}`).join(', '),
            },
          ],
        }),
      ),
    );
  }

  if (config.ok) {
    root.append(
      section(
        'Environment checks',
        h(
          'ul',
          { class: 'checks' },
          config.data.checks.map((/** @type {any} */ c) =>
            h(
              'li',
              {},
              badge(c.ok ? 'ok' : 'attention', c.ok ? 'good' : 'warn'),
              h('strong', {}, c.name),
              h('span', { class: 'muted' }, c.detail),
            ),
          ),
        ),
      ),
    );
  }
}
