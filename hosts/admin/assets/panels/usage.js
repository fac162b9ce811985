// @ts-check
import { api, token } from '../api.js';
import { groupedDailyChart } from '../chart.js';
import { badge, callout, capacityMeter, errorBox, h, kpiGrid, section, table } from '../dom.js';

/**
 * Work → Usage (issue 17): what the agents spent, in dollars and tokens — per day per team as a
 * chart, the issues that cost the most, today's spend against every daily budget, the runs a
 * budget stopped — over the last 30 days, with the runs as a CSV download.
 */

const DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;

/** @param {number} usd */
const dollars = (usd) => `$${usd.toFixed(2)}`;
/** @param {number} n */
const count = (n) => n.toLocaleString();

/** @param {string} to YYYY-MM-DD */
function daysUntil(to) {
  const end = Date.parse(`${to}T00:00:00Z`);
  return Array.from({ length: DAYS }, (_, i) => new Date(end - (DAYS - 1 - i) * DAY_MS).toISOString().slice(0, 10));
}

/** @param {string} to @param {string} teamKey */
const teamDays = (to, teamKey) => api.get(`/api/usage?groupBy=day&to=${to}&team=${encodeURIComponent(teamKey)}`);

/** The CSV export needs the bearer token, so it is fetched and saved from here. @param {string} from @param {string} to */
async function downloadCsv(from, to) {
  const bearer = token.get();
  const res = await fetch(`/api/usage/export?format=csv&from=${from}&to=${to}`, {
    headers: bearer ? { authorization: `Bearer ${bearer}` } : {},
    cache: 'no-store',
  });
  if (!res.ok) return `Export failed (HTTP ${res.status})`;
  const url = URL.createObjectURL(await res.blob());
  const link = h('a', { href: url, download: `ai-implement-usage-${from}-${to}.csv` });
  document.body.append(link);
  link.click();
  link.remove();
  URL.revokeObjectURL(url);
  return undefined;
}

/**
 * @param {HTMLElement} root
 * @param {import('./index.js').PanelContext} ctx
 */
export async function render(root, ctx) {
  const res = await api.get('/api/usage?groupBy=team');
  if (!res.ok) {
    root.append(errorBox(res.error));
    return;
  }
  const summary = res.data;
  const days = daysUntil(summary.to);
  const teams = /** @type {{ key: string }[]} */ (summary.groups).map((g) => g.key);
  const perTeam = await Promise.all(teams.map((t) => teamDays(summary.to, t)));
  const series = teams.map((name, i) => {
    const answer = perTeam[i];
    /** @type {Map<string, number>} */
    const byDay = new Map(answer?.ok ? answer.data.groups.map((/** @type {any} */ g) => [g.key, g.costUsd]) : []);
    return { name, values: days.map((d) => byDay.get(d) ?? 0) };
  });

  const total = summary.total;
  const tokens = total.inputTokens + total.outputTokens + total.cacheReadTokens + total.cacheCreationTokens;
  const global = summary.today.global;
  const exportButton = h('button', { type: 'button', class: 'secondary' }, 'Download CSV');
  exportButton.addEventListener('click', async () => {
    const problem = await downloadCsv(summary.from, summary.to);
    ctx.status(problem ?? 'Usage exported', problem ? 'bad' : 'good');
  });

  root.append(
    kpiGrid(
      [
        { label: `Spend, last ${DAYS} days`, value: dollars(total.costUsd) },
        { label: 'Runs reporting usage', value: count(total.runs) },
        { label: 'Tokens', value: count(tokens), hint: `${count(total.inputTokens)} in · ${count(total.outputTokens)} out` },
        {
          label: 'Spend today (all teams)',
          value: dollars(global.spentUsd),
          hint: global.budgetUsd === null ? 'no global daily budget' : `of ${dollars(global.budgetUsd)}`,
          tone: global.budgetUsd !== null && global.spentUsd >= global.budgetUsd ? 'bad' : undefined,
        },
      ],
      'Usage totals',
    ),
    total.unpricedRuns > 0
      ? callout(`${total.unpricedRuns} run(s) used a model without a price: their tokens count, their dollars are not known.`)
      : '',
    section('Spend per day per team', groupedDailyChart(days, series), h('p', {}, exportButton)),
    section(
      'Budget meters (today)',
      table({
        caption: `Daily budgets, ${summary.today.day} (reset at 00:00 UTC)`,
        rows: summary.today.teams,
        empty: 'No project mappings.',
        columns: [
          { label: 'Team', cell: (t) => t.teamKey },
          { label: 'Spent today', numeric: true, cell: (t) => dollars(t.spentUsd) },
          {
            label: 'Daily budget',
            cell: (t) =>
              t.budgetUsd === null
                ? h('span', { class: 'muted' }, 'none')
                : capacityMeter(Math.round(t.spentUsd * 100) / 100, t.budgetUsd, `Team ${t.teamKey}: spent of daily budget`),
          },
          {
            label: 'State',
            cell: (t) =>
              t.budgetUsd === null
                ? ''
                : t.spentUsd >= t.budgetUsd
                  ? badge('reached: new runs wait', 'bad')
                  : t.spentUsd >= t.budgetUsd * 0.8
                    ? badge('above 80 %', 'warn')
                    : badge('ok', 'good'),
          },
        ],
      }),
    ),
    section(
      'Top issues by cost',
      table({
        caption: `The issues that cost the most, ${summary.from} to ${summary.to}`,
        rows: summary.topIssues,
        empty: 'No usage reported yet.',
        columns: [
          { label: 'Issue', cell: (g) => g.key },
          { label: 'Runs', numeric: true, cell: (g) => count(g.runs) },
          {
            label: 'Tokens',
            numeric: true,
            cell: (g) => count(g.inputTokens + g.outputTokens + g.cacheReadTokens + g.cacheCreationTokens),
          },
          { label: 'Cost', numeric: true, cell: (g) => (g.unpricedRuns === g.runs ? 'not priced' : dollars(g.costUsd)) },
        ],
      }),
    ),
    section(
      'Runs stopped by a budget',
      table({
        caption: 'The latest runs a budget stopped',
        rows: summary.stoppedByBudget,
        empty: 'No run was stopped by a budget.',
        columns: [
          { label: 'Issue', cell: (r) => r.identifier },
          { label: 'Team', cell: (r) => r.teamKey },
          { label: 'Day', cell: (r) => r.day },
          { label: 'Tokens', numeric: true, cell: (r) => count(r.totalTokens) },
          { label: 'Cost', numeric: true, cell: (r) => (r.costUsd === null ? 'not priced' : dollars(r.costUsd)) },
        ],
      }),
    ),
  );
}
