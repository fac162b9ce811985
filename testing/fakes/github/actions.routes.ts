import { fail, noContent, notFound, ok, type Reply } from './http.js';
import type { Ctx, RepoRoute } from './route.js';
import { runJson, workflowId } from './shapes.js';
import type { FakeRepo, FakeRun } from './state.js';
import { parseWorkflow, renderRunName } from './workflow-file.js';

const WORKFLOWS_DIR = '.github/workflows/';

/** `:workflow` is a file name (`ci.yml`) or the workflow's numeric id, as on GitHub. */
function workflowPath(repo: FakeRepo, workflow: string): string | undefined {
  const files = repo.branches.get(repo.defaultBranch)?.files ?? new Map<string, string>();
  const path = `${WORKFLOWS_DIR}${workflow}`;
  if (files.has(path)) return path;
  return [...files.keys()].find((p) => p.startsWith(WORKFLOWS_DIR) && String(workflowId(p)) === workflow);
}

function dispatch(ctx: Ctx, repo: FakeRepo): Reply {
  const body = (ctx.body ?? {}) as { ref?: unknown; inputs?: unknown };
  if (typeof body.ref !== 'string') return fail(422, 'Invalid request.\n\n"ref" wasn\'t supplied.');
  const path = workflowPath(repo, ctx.params.workflow ?? '');
  if (!path) return notFound();
  const ref = body.ref.replace(/^refs\/heads\//, '');
  const branch = repo.branches.get(ref);
  if (!branch) return fail(422, `No ref found for: ${body.ref}`);
  const text = branch.files.get(path) ?? repo.branches.get(repo.defaultBranch)?.files.get(path) ?? '';
  const parsed = parseWorkflow(text);
  if (!parsed?.dispatchInputs) return fail(422, "Workflow does not have 'workflow_dispatch' trigger");

  const given = (typeof body.inputs === 'object' && body.inputs !== null ? body.inputs : {}) as Record<string, unknown>;
  const unexpected = Object.keys(given).filter((k) => !(k in (parsed.dispatchInputs ?? {})));
  if (unexpected.length > 0) return fail(422, `Unexpected inputs provided: ${JSON.stringify(unexpected)}`);
  const inputs: Record<string, string> = {};
  for (const [name, spec] of Object.entries(parsed.dispatchInputs)) {
    const value = given[name];
    if (value === undefined || value === '') {
      if (spec.required && spec.default === undefined) return fail(422, `Required input '${name}' not provided`);
      if (spec.default !== undefined) inputs[name] = spec.default;
    } else {
      inputs[name] = String(value);
    }
  }

  const record = { owner: repo.owner, repo: repo.name, workflow: path.slice(WORKFLOWS_DIR.length), ref, inputs, at: ctx.now };
  ctx.dispatches.push(record);
  let outcome: ReturnType<Ctx['dispatchHooks'][number]>;
  for (const hook of ctx.dispatchHooks) outcome = hook(record) ?? outcome;
  if (outcome && outcome.createRun === false) return noContent();

  const workflowName = parsed.name ?? path;
  const run: FakeRun = {
    id: ctx.state.id(),
    owner: repo.owner,
    repo: repo.name,
    workflowPath: path,
    workflowName,
    displayTitle:
      outcome?.displayTitle ??
      (parsed.runName ? renderRunName(parsed.runName, { inputs, actor: 'ai-implement', ref }) : workflowName),
    headBranch: ref,
    headSha: branch.sha,
    event: 'workflow_dispatch',
    status: outcome?.status ?? 'queued',
    conclusion: outcome?.conclusion ?? null,
    runNumber: repo.runs.filter((r) => r.workflowPath === path).length + 1,
    inputs,
    createdAt: ctx.now,
    updatedAt: ctx.now,
  };
  repo.runs.push(run);
  Object.assign(record, { runId: run.id });
  return noContent();
}

/** GitHub's `created` filter: `>=T`, `>T`, `<=T`, `<T`, `A..B` (with `*`), or one date. */
export function createdFilter(expr: string): (ms: number) => boolean {
  const at = (s: string) => Date.parse(s);
  const cmp = /^(>=|<=|>|<)(.+)$/.exec(expr);
  if (cmp) {
    const t = at(cmp[2] ?? '');
    if (cmp[1] === '>=') return (ms) => ms >= t;
    if (cmp[1] === '>') return (ms) => ms > t;
    if (cmp[1] === '<=') return (ms) => ms <= t;
    return (ms) => ms < t;
  }
  const range = /^(.+)\.\.(.+)$/.exec(expr);
  if (range) {
    const from = range[1] === '*' ? Number.NEGATIVE_INFINITY : at(range[1] ?? '');
    const to = range[2] === '*' ? Number.POSITIVE_INFINITY : at(range[2] ?? '');
    return (ms) => ms >= from && ms <= to;
  }
  if (/^\d{4}-\d{2}-\d{2}$/.test(expr)) {
    const day = at(`${expr}T00:00:00Z`);
    return (ms) => ms >= day && ms < day + 86_400_000;
  }
  const exact = at(expr);
  return (ms) => ms === exact;
}

function listRuns(ctx: Ctx, repo: FakeRepo, path?: string): Reply {
  const q = ctx.query;
  let runs = repo.runs.filter((r) => path === undefined || r.workflowPath === path);
  const event = q.get('event');
  if (event) runs = runs.filter((r) => r.event === event);
  const branch = q.get('branch');
  if (branch) runs = runs.filter((r) => r.headBranch === branch);
  const status = q.get('status');
  if (status) runs = runs.filter((r) => r.status === status || r.conclusion === status);
  const created = q.get('created');
  if (created) {
    const keep = createdFilter(created);
    runs = runs.filter((r) => keep(r.createdAt));
  }
  runs = [...runs].sort((a, b) => b.createdAt - a.createdAt || b.id - a.id);
  const perPage = Math.min(Number(q.get('per_page') ?? 30) || 30, 100);
  const page = Math.max(Number(q.get('page') ?? 1) || 1, 1);
  const slice = runs.slice((page - 1) * perPage, page * perPage);
  return ok({ total_count: runs.length, workflow_runs: slice.map((r) => runJson(r, repo, ctx.urls)) });
}

const read = (): Array<[string, 'read' | 'write']> => [['actions', 'read']];

export const actionsRoutes: RepoRoute[] = [
  {
    method: 'POST',
    pattern: '/repos/:owner/:repo/actions/workflows/:workflow/dispatches',
    auth: 'repo',
    permissions: () => [['actions', 'write']],
    handle: dispatch,
  },
  {
    method: 'GET',
    pattern: '/repos/:owner/:repo/actions/workflows/:workflow/runs',
    auth: 'repo',
    permissions: read,
    handle: (ctx, repo) => {
      const path = workflowPath(repo, ctx.params.workflow ?? '');
      return path ? listRuns(ctx, repo, path) : notFound();
    },
  },
  {
    method: 'GET',
    pattern: '/repos/:owner/:repo/actions/runs',
    auth: 'repo',
    permissions: read,
    handle: (ctx, repo) => listRuns(ctx, repo),
  },
  {
    method: 'GET',
    pattern: '/repos/:owner/:repo/actions/runs/:id',
    auth: 'repo',
    permissions: read,
    handle: (ctx, repo) => {
      const run = repo.runs.find((r) => String(r.id) === ctx.params.id);
      return run ? ok(runJson(run, repo, ctx.urls)) : notFound();
    },
  },
];
