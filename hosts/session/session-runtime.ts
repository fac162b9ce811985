import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { asFunction, asValue, createContainer, InjectionMode } from 'awilix';
import type { ResultBody } from '../../core/app/runs/run-callback-bodies.js';
import type { SteeringInstruction } from '../../core/app/runs/steering.service.js';
import { budgetReachedError, runBudgetCrossed } from '../../core/domain/budget.js';
import { type BlockedLog, blockedRequestsComment } from '../../core/domain/egress.js';
import { PR_NOT_FOUND_ERROR } from '../../core/domain/job-status.js';
import { redactDeep, redactSecrets } from '../../core/domain/redaction.js';
import { DEFAULT_MODEL_PRICES, type PriceTable, type UsageReport } from '../../core/domain/usage.js';
import type { PluginCatalog } from '../../plugins/plugin-loader.js';
import type { RunContext, Shell, StepCradle, StepServices } from '../../plugins/run-context.js';
import type { Agent } from '../../ports/agent.port.js';
import type { Clock } from '../../ports/clock.port.js';
import type { StepReport } from '../../ports/pipeline.port.js';
import type { CallbackClient } from './callback-client.js';
import { runStep } from './run-step.js';
import { isRunnerVariable, type SessionConfig } from './session-env.js';
import type { SessionForge } from './session-forge.js';
import { createUsageMeter } from './usage-meter.js';

export interface SessionRuntimeDeps {
  config: SessionConfig;
  callbacks: CallbackClient;
  agent: Agent;
  shell: Shell;
  clock: Clock;
  /** The pipelines and steps, with each step's needs checked against `services`. */
  loadCatalog: (services: readonly string[]) => Promise<PluginCatalog>;
  forge: (config: SessionConfig, callbacks: CallbackClient) => Promise<SessionForge | { error: string }>;
  log: (line: string) => void;
  /** Lets the host stop the run from outside (SIGTERM): the run reports and ends. */
  onStopRequest?: (stop: (why: string) => void) => void;
  /** How long a step gets to notice a stop before the run reports without it (10 s). */
  stopGraceMs?: number;
  /** The sandbox's egress proxy: each newly refused destination is logged, and all of them are the run's comment. */
  egress?: {
    blocked(): BlockedLog;
    onBlocked(listener: (request: { method: string; target: string }) => void): void;
  };
  /** Values kept out of the agent's environment (the model key its proxy adds), redacted like the rest. */
  secrets?: readonly string[];
  /**
   * While an agent spends, its usage is reported on its own (`/runner/progress` with `usage`
   * only) at most this often (2 s), so the orchestrator sees the spend between steps too.
   */
  usageReportMs?: number;
  /** Prices of models (USD per million tokens) for agents that give tokens but no dollars. */
  prices?: PriceTable;
}

export interface SessionOutcome {
  outcome: 'success' | 'failure';
  reason?: string;
  timedOut: boolean;
  /** Whether the one `/runner/result` reached the orchestrator. */
  delivered: boolean;
}

type StopReason =
  | { kind: 'timeout' }
  | { kind: 'aborted'; reason?: string }
  | { kind: 'terminated'; why: string }
  | { kind: 'budget'; reason: string };

const LOG_TAIL = 16 * 1024;

/**
 * `ai-implement session`: one pipeline for one job in a fresh workspace, reported step by step
 * (`/runner/progress` and `/api/step-report`), with lifecycle events on the ticket
 * (`/api/status`), ending with exactly one `/runner/result` — on success, on a failed step, on
 * an operator's abort, on SIGTERM, on a crash, and when the run passes `maxJobMinutes`, when a
 * watchdog stops the pipeline (killing the agent and any command) and reports.
 */
export async function runSession(deps: SessionRuntimeDeps): Promise<SessionOutcome> {
  const { config, callbacks, clock } = deps;
  const startedAt = clock.now();
  const iso = () => new Date(clock.now()).toISOString();
  const secretValues: string[] = [
    config.resultToken,
    config.progressToken,
    config.nonce,
    ...(deps.secrets ?? []),
    ...Object.entries(config.agentEnv)
      .filter(([k]) => !isRunnerVariable(k))
      .map(([, v]) => v),
  ];
  let logText = '';
  const log = (line: string) => {
    const safe = redactSecrets(line, secretValues);
    logText = `${logText}${safe}\n`.slice(-LOG_TAIL);
    deps.log(safe);
  };
  deps.egress?.onBlocked((r) => log(`egress blocked: ${r.method} ${r.target} (not on the allow-list)`));

  // The watchdog: the budget is maxJobMinutes, less a margin to report in before a runner
  // that enforces the same lifetime kills the whole session.
  const budgetMs = config.caps.maxJobMinutes * config.minuteMs;
  const marginMs = Math.min(30_000, Math.floor(budgetMs * 0.1));
  const deadline = startedAt + budgetMs - marginMs;
  const controller = new AbortController();
  let stopReason: StopReason | undefined;
  const stop = (reason: StopReason) => {
    if (stopReason) return;
    stopReason = reason;
    log(
      `stopping: ${reason.kind}${'reason' in reason && reason.reason ? ` (${reason.reason})` : ''}${'why' in reason ? ` (${reason.why})` : ''}`,
    );
    controller.abort();
  };
  const watchdog = setTimeout(() => stop({ kind: 'timeout' }), Math.max(0, deadline - clock.now()));
  deps.onStopRequest?.((why) => stop({ kind: 'terminated', why }));
  const stopGraceMs = deps.stopGraceMs ?? 10_000;

  let workspace: string | undefined;
  let forge: SessionForge | undefined;
  let failure: string | undefined;
  const draft: RunContext['result'] = { comments: [] };

  const obey = (instructions: SteeringInstruction[], ctx?: RunContext) => {
    for (const i of instructions) {
      if (i.type === 'message') {
        log(`operator message: ${i.message}`);
        ctx?.steering.push(i.message);
      } else if (i.type === 'abort') {
        // The orchestrator's budget check says why in the reason: the run fails with it as is.
        if (i.reason?.startsWith('Reached budget')) stop({ kind: 'budget', reason: i.reason });
        else stop(i.reason ? { kind: 'aborted', reason: i.reason } : { kind: 'aborted' });
      }
    }
  };
  // Usage (issue 17): every agent invocation adds to the run's total; past the run's own cap
  // the run stops, and between steps the spend is reported on its own, at most every usageReportMs.
  let stepContext: RunContext | undefined;
  let usageSent = startedAt;
  let usageReport: Promise<void> | undefined;
  const usageReportMs = deps.usageReportMs ?? 2_000;
  const onUsage = (total: UsageReport) => {
    if (runBudgetCrossed(total, config.budget)) stop({ kind: 'budget', reason: budgetReachedError(total.costUsd ?? 0) });
    if (usageReport || clock.now() - usageSent < usageReportMs) return;
    usageSent = clock.now();
    usageReport = callbacks
      .progress(undefined, meter.total())
      .then((instructions) => obey(instructions, stepContext))
      .finally(() => {
        usageReport = undefined;
      });
  };
  const meter = createUsageMeter(deps.prices ?? DEFAULT_MODEL_PRICES, onUsage);
  const agent = meter.wrap(deps.agent);

  const reportStep = async (report: StepReport, ctx?: RunContext) => {
    // The step history is readable by whoever reads the ticket: nothing secret, in any encoding.
    const step = redactDeep(report, secretValues) as StepReport;
    const [instructions] = await Promise.all([callbacks.progress(step, meter.total()), callbacks.stepReport(step)]);
    obey(instructions, ctx);
  };

  try {
    await callbacks.status({ type: 'session_created' });
    log(`session for ${config.issueIdentifier} (${config.phase}), job ${config.jobId}`);

    const context = await callbacks.planningContext();
    if (!context) log('planning context unavailable: the prompt has the issue identifier only');

    const built = await deps.forge(config, callbacks);
    if ('error' in built) throw new RunFailure(`Could not get a repository token: ${built.error}`);
    forge = built;
    secretValues.push(...built.secrets);

    // The steps' container: the built-in services, then what the loaded steps provide.
    const container = createContainer<StepCradle>({ injectionMode: InjectionMode.PROXY, strict: true });
    const status: StepServices['status'] = (event) =>
      callbacks.status(redactDeep(event, secretValues) as Parameters<CallbackClient['status']>[0]);
    container.register({
      agent: asValue(agent),
      forge: asValue(built.forge),
      shell: asValue(deps.shell),
      status: asValue(status),
      clock: asValue(clock),
    });
    let catalog: PluginCatalog;
    try {
      catalog = await deps.loadCatalog(Object.keys(container.registrations));
    } catch (error) {
      throw new RunFailure(error instanceof Error ? error.message : String(error));
    }
    // Singletons: built on the first step that needs one, then shared by every later step.
    // A factory that throws names its key and module in the failure of the step that needed it.
    for (const provided of catalog.providers) {
      const build = (cradle: StepCradle) => {
        try {
          return provided.factory(cradle);
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          throw new Error(`service "${provided.key}" of step module ${provided.step} failed to build: ${message}`);
        }
      };
      container.register(provided.key, asFunction(build).singleton());
    }
    const pipeline = catalog.pipeline(config.pipeline);
    if (!pipeline) throw new RunFailure(`Pipeline "${config.pipeline}" not found in plugins/pipelines or custom/pipelines`);
    if (pipeline.phase !== config.phase)
      throw new RunFailure(`Pipeline "${pipeline.name}" is for ${pipeline.phase}, not ${config.phase}`);

    await mkdir(config.workspaceRoot, { recursive: true });
    workspace = await mkdtemp(
      join(config.workspaceRoot, `ai-implement-${config.issueIdentifier.replace(/[^A-Za-z0-9-]/g, '_')}-`),
    );
    const ctx: RunContext = {
      jobId: config.jobId,
      phase: config.phase,
      issue: {
        identifier: config.issueIdentifier,
        title: context?.issue.title ?? '',
        description: context?.issue.description ?? '',
        url: context?.issue.url ?? '',
        ...(context?.issue.id ? { id: context.issue.id } : {}),
      },
      repo: built.repo,
      branch: config.branch,
      workspace,
      repoDir: join(workspace, 'repo'),
      caps: config.caps,
      // The operator's overrides come first; the clone step only fills what is still unset.
      models: config.model ? { planning: config.model, implementation: config.model } : {},
      templates: config.promptTemplate ? { implementation: config.promptTemplate } : {},
      steering: [],
      agentEnv: config.agentEnv,
      secretValues,
      signal: controller.signal,
      remainingMs: () => Math.max(0, deadline - clock.now()),
      state: {},
      result: draft,
      log,
    };
    if (context?.plan && config.phase !== 'planning') ctx.plan = context.plan;
    stepContext = ctx;
    if (config.prNumber !== undefined) ctx.pullRequest = { number: config.prNumber, url: '' };

    const steps = pipeline.steps;
    for (const [index, step] of steps.entries()) {
      if (controller.signal.aborted) break;
      const module = catalog.step(step.module);
      if (!module) throw new Error(`step module ${step.module} vanished after loading`);
      const began = clock.now();
      const report: StepReport = { id: step.id, type: step.module, status: 'running', started_at: new Date(began).toISOString() };
      await reportStep(report, ctx);
      log(`step ${step.id} (${step.module}) started`);
      const info = catalog.steps.find((s) => s.name === step.module);
      // Resolved inside the step, so a provider that throws fails this step, not the session.
      const outcome = await runStep(
        async () =>
          module.run(
            ctx,
            Object.fromEntries(module.needs.map((need) => [need, container.resolve(need)])),
            catalog.settings(pipeline.name, step.id),
          ),
        {
          signal: controller.signal,
          graceMs: stopGraceMs,
          step: step.id,
          file: info?.customPath ?? info?.builtInPath ?? step.module,
        },
      );
      const finished: StepReport = { ...report, status: outcome.status, finished_at: iso() };
      const output =
        outcome.status === 'failed'
          ? { error: redactSecrets(outcome.message, secretValues), ...asObject(outcome.output) }
          : outcome.output;
      if (output !== undefined) finished.output = output;
      await reportStep(finished, ctx);
      log(
        `step ${step.id} ${outcome.status} in ${((clock.now() - began) / 1000).toFixed(1)}s${outcome.status === 'failed' ? `: ${outcome.message}` : ''}`,
      );
      if (outcome.status === 'failed') {
        failure = outcome.message;
        for (const rest of steps.slice(index + 1)) {
          const at = iso();
          await reportStep({ id: rest.id, type: rest.module, status: 'skipped', started_at: at, finished_at: at });
        }
        break;
      }
    }
  } catch (error) {
    failure =
      error instanceof RunFailure ? error.message : `Session crashed: ${error instanceof Error ? error.message : String(error)}`;
    log(failure);
  } finally {
    clearTimeout(watchdog);
  }

  // The outcome: a stop wins over the step failure it caused.
  let outcome: 'success' | 'failure' = 'failure';
  let reason: string | undefined;
  const timedOut = stopReason?.kind === 'timeout';
  if (stopReason?.kind === 'timeout') {
    reason = `Session exceeded maxJobMinutes (${config.caps.maxJobMinutes} min) and was stopped`;
  } else if (stopReason?.kind === 'aborted') {
    reason = `Session aborted by the operator${stopReason.reason ? `: ${stopReason.reason}` : ''}`;
  } else if (stopReason?.kind === 'terminated') {
    reason = `Session was stopped (${stopReason.why})`;
  } else if (stopReason?.kind === 'budget') {
    reason = stopReason.reason;
  } else if (failure !== undefined) {
    reason = failure;
  } else if (config.phase !== 'planning' && !draft.prUrl) {
    reason = PR_NOT_FOUND_ERROR;
  } else {
    outcome = 'success';
  }
  if (reason) reason = redactSecrets(reason, secretValues);

  try {
    if (reason) await callbacks.status(timedOut ? { type: 'session_timed_out', reason } : { type: 'session_failed', reason });
  } finally {
    if (workspace) await rm(workspace, { recursive: true, force: true }).catch(() => undefined);
    await forge?.close().catch(() => undefined);
  }
  await callbacks.status({ type: 'session_cleaned_up', durationMs: clock.now() - startedAt });

  const blocked = deps.egress ? blockedRequestsComment(deps.egress.blocked()) : undefined;
  if (blocked) draft.comments.push({ body: blocked });
  const body: ResultBody = {
    phase: config.phase,
    outcome,
    comments: draft.comments.map((c) => ({ body: redactSecrets(c.body, secretValues) })),
  };
  if (draft.prUrl) body.prUrl = draft.prUrl;
  if (draft.prNumber !== undefined) body.prNumber = draft.prNumber;
  if (draft.reviewApproved !== undefined) body.reviewApproved = draft.reviewApproved;
  if (draft.plan) body.plan = redactSecrets(draft.plan, secretValues);
  if (reason) {
    body.error = reason;
    body.log = redactSecrets(logText, secretValues);
  }
  if (timedOut && outcome === 'failure') body.timedOut = true;
  await usageReport;
  const usage = meter.total();
  if (usage) body.usage = usage;
  const sent = await callbacks.result(redactDeep(body, secretValues) as ResultBody);
  log(
    `result ${outcome}${reason ? `: ${reason}` : ''} — ${sent.delivered ? 'delivered' : `NOT delivered (${sent.error ?? 'unknown'})`}`,
  );
  return { outcome, ...(reason ? { reason } : {}), timedOut, delivered: sent.delivered };
}

/** A failure of the run before or around the pipeline, with its message as the reason. */
class RunFailure extends Error {}

function asObject(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
