import { parse } from 'yaml';

export interface WorkflowInput {
  required: boolean;
  default?: string;
}

export interface ParsedWorkflow {
  name?: string;
  runName?: string;
  /** Undefined when the workflow has no `workflow_dispatch` trigger. */
  dispatchInputs?: Record<string, WorkflowInput>;
}

/**
 * Reads what GitHub reads from a workflow file to accept a dispatch and title its run: the
 * `name`, the `run-name` and the `workflow_dispatch` inputs. Undefined when it is not YAML.
 */
export function parseWorkflow(text: string): ParsedWorkflow | undefined {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch {
    return undefined;
  }
  if (typeof doc !== 'object' || doc === null) return undefined;
  const wf = doc as Record<string, unknown>;
  const out: ParsedWorkflow = {};
  if (typeof wf.name === 'string') out.name = wf.name;
  if (typeof wf['run-name'] === 'string') out.runName = wf['run-name'];
  const on = wf.on;
  const triggers =
    typeof on === 'string' ? { [on]: null } : Array.isArray(on) ? Object.fromEntries(on.map((t) => [t, null])) : on;
  if (typeof triggers === 'object' && triggers !== null && 'workflow_dispatch' in triggers) {
    const dispatch = (triggers as Record<string, unknown>).workflow_dispatch as { inputs?: Record<string, unknown> } | null;
    const inputs: Record<string, WorkflowInput> = {};
    for (const [key, spec] of Object.entries(dispatch?.inputs ?? {})) {
      const s = (spec ?? {}) as { required?: unknown; default?: unknown };
      inputs[key] = { required: s.required === true, default: s.default === undefined ? undefined : String(s.default) };
    }
    out.dispatchInputs = inputs;
  }
  return out;
}

/**
 * Evaluates the `${{ … }}` expressions of a `run-name` for a dispatch: `inputs.X` and
 * `github.event.inputs.X` become the input, `github.actor` the dispatcher, `github.ref_name`
 * the ref; anything else becomes empty, where GitHub would evaluate it.
 */
export function renderRunName(template: string, ctx: { inputs: Record<string, string>; actor: string; ref: string }): string {
  return template.replace(/\$\{\{\s*(.*?)\s*\}\}/g, (_all, expr: string) => {
    const input = /^(?:github\.event\.)?inputs\.([\w-]+)$/.exec(expr);
    if (input?.[1] !== undefined) return ctx.inputs[input[1]] ?? '';
    if (expr === 'github.actor' || expr === 'github.triggering_actor') return ctx.actor;
    if (expr === 'github.ref_name') return ctx.ref;
    return '';
  });
}
