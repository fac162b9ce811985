/**
 * Issue 17's core budget rule, over generated sequences of arrivals, spending, planning cycles
 * and the clock crossing UTC midnights: no dispatch ever starts for a team whose day's spend
 * has reached its `dailyBudgetUsd`, nor for any team once every team's spend together has
 * reached the global daily budget — and an issue is held for `budget` only then, with the
 * documented message. Runs in flight keep spending past a budget (they are not killed).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type DailySpend, utcDay } from '../../core/domain/budget.js';
import type { Mapping, TicketIssue } from '../../core/domain/model.js';
import { planDispatches } from '../../core/domain/planner.js';
import { HOUR, issue, mapping, T0 } from './fixtures.js';

const RUNS = Number(process.env.CORE_PROP_RUNS ?? 300);
const TEAMS = ['A', 'B', 'C'] as const;

type Step =
  | { kind: 'arrive'; team: (typeof TEAMS)[number] }
  | { kind: 'spend'; run: number; usd: number }
  | { kind: 'advance'; hours: number }
  | { kind: 'plan' };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('arrive' as const), team: fc.constantFrom(...TEAMS) }),
  fc.record({ kind: fc.constant('spend' as const), run: fc.nat(20), usd: fc.double({ min: 0, max: 8, noNaN: true }) }),
  fc.record({ kind: fc.constant('advance' as const), hours: fc.integer({ min: 1, max: 30 }) }),
  fc.constant({ kind: 'plan' as const }),
);

const budgetArb = fc.option(fc.double({ min: 0.5, max: 20, noNaN: true }), { nil: undefined });

const MESSAGE = /^Daily budget reached for team ([A-Z]+) \(\$(\d+\.\d\d)\/\$(\d+\.\d\d)\)\. Resets at 00:00 UTC\.$/;

describe('daily budgets (planner)', () => {
  it('never dispatches for a team past its daily budget or past the global one, whatever the sequence', () => {
    fc.assert(
      fc.property(
        fc.tuple(budgetArb, budgetArb, budgetArb),
        budgetArb,
        fc.array(stepArb, { maxLength: 60 }),
        (teamBudgets, globalBudgetUsd, steps) => {
          const mappings: Mapping[] = TEAMS.map((teamKey, i) =>
            mapping({
              teamKey,
              maxInProgressAiIssues: 1000,
              ...(teamBudgets[i] !== undefined ? { dailyBudgetUsd: teamBudgets[i] } : {}),
            }),
          );
          const budgetOf = new Map(mappings.map((m) => [m.teamKey, m.dailyBudgetUsd]));
          let now = T0;
          let n = 0;
          const waiting: TicketIssue[] = [];
          const running: { team: string }[] = [];
          /** day → team → dollars: what the usage store would sum. */
          const spent = new Map<string, Map<string, number>>();
          const today = () => {
            const day = utcDay(now);
            if (!spent.has(day)) spent.set(day, new Map());
            return spent.get(day)!;
          };

          for (const step of steps) {
            if (step.kind === 'arrive') {
              n++;
              waiting.push(issue({ id: `i${n}`, identifier: `${step.team}-${n}`, teamKey: step.team, createdAt: now }));
            } else if (step.kind === 'spend') {
              const run = running[step.run % Math.max(1, running.length)];
              if (run) today().set(run.team, (today().get(run.team) ?? 0) + step.usd); // in flight: never stopped by a daily budget
            } else if (step.kind === 'advance') {
              now += step.hours * HOUR;
            } else {
              const byTeam = Object.fromEntries(today());
              const totalUsd = [...today().values()].reduce((a, b) => a + b, 0);
              const spend: DailySpend = { byTeam, totalUsd, ...(globalBudgetUsd !== undefined ? { globalBudgetUsd } : {}) };
              const plan = planDispatches({ mappings, issues: waiting, jobs: [], dedup: [], now, spend });
              const over = (team: string) => {
                const own = budgetOf.get(team);
                return (
                  (own !== undefined && (byTeam[team] ?? 0) >= own) ||
                  (globalBudgetUsd !== undefined && totalUsd >= globalBudgetUsd)
                );
              };
              for (const d of plan.dispatch) {
                expect(over(d.mapping.teamKey), `dispatch for ${d.mapping.teamKey} past its budget`).toBe(false);
                running.push({ team: d.mapping.teamKey });
              }
              for (const s of plan.skipped) {
                expect(s.reason).toBe('budget');
                expect(over(s.teamKey)).toBe(true);
                const [, team, shownSpent, shownBudget] = MESSAGE.exec(s.message) ?? [];
                expect(team).toBe(s.teamKey);
                expect(Number(shownSpent)).toBeGreaterThanOrEqual(Number(shownBudget) - 0.005);
              }
              const dispatched = new Set(plan.dispatch.map((d) => d.issue.id));
              waiting.splice(0, waiting.length, ...waiting.filter((i) => !dispatched.has(i.id)));
            }
          }
        },
      ),
      { numRuns: RUNS },
    );
  });
});
