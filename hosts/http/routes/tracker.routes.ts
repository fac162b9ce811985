import { getQuery, getRouterParam, type H3, type H3Event } from 'h3';
import { z } from 'zod';
import type { TrackerService } from '../../../adapters/ticketing/local/tracker.service.js';
import { LOCAL_STATE_TYPES } from '../../../adapters/ticketing/local/tracker.service.js';
import { readJsonObject } from '../body.js';
import { errorResponse, json } from '../errors.js';

export interface TrackerRoutesDeps {
  tracker: TrackerService;
}

const label = z.string().trim().min(1).max(100);
const fields = {
  title: z.string().trim().min(1).max(500),
  description: z.string().max(100_000),
  priority: z.number().int().min(0).max(4),
  labels: z.array(label).max(50),
  state: z.enum(LOCAL_STATE_TYPES as [string, ...string[]]),
  blockedBy: z.array(z.string().min(1)).max(50),
};
export const createSchema = z.object({
  teamKey: z
    .string()
    .trim()
    .regex(/^[A-Za-z][A-Za-z0-9_]{0,19}$/, 'teamKey must be letters, digits or underscores, starting with a letter'),
  ...fields,
  description: fields.description.optional(),
  priority: fields.priority.optional(),
  labels: fields.labels.optional(),
  state: fields.state.optional(),
  blockedBy: fields.blockedBy.optional(),
});
export const patchSchema = z.object(fields).partial();

/** The first problem zod found, as `field: message`. */
function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'Invalid request body';
  const path = issue.path.join('.');
  return path ? `${path}: ${issue.message}` : issue.message;
}

const refOf = (event: H3Event) => decodeURIComponent(getRouterParam(event, 'ref') ?? '');

/** The embedded tracker's issues: create, edit, label, comment (the local ticketing adapter's UI). */
export function trackerRoutes(app: H3, { tracker }: TrackerRoutesDeps): void {
  app.get('/api/tracker/issues', async (event) => {
    const { teamKey } = getQuery(event);
    return json({ issues: await tracker.list(typeof teamKey === 'string' ? teamKey : undefined) });
  });

  app.post('/api/tracker/issues', async (event) => {
    const body = await readJsonObject(event);
    if (body.isErr()) return errorResponse(body.error);
    const parsed = createSchema.safeParse(body.value);
    if (!parsed.success) return errorResponse({ kind: 'invalid', message: firstIssue(parsed.error) });
    const { state, ...rest } = parsed.data;
    const created = await tracker.create({ ...rest, ...(state ? { stateType: state as never } : {}) } as never);
    return created.match((issue) => json({ issue }, 201), errorResponse);
  });

  app.get('/api/tracker/issues/:ref', async (event) =>
    (await tracker.get(refOf(event))).match((issue) => json({ issue }), errorResponse),
  );

  app.patch('/api/tracker/issues/:ref', async (event) => {
    const body = await readJsonObject(event);
    if (body.isErr()) return errorResponse(body.error);
    const parsed = patchSchema.safeParse(body.value);
    if (!parsed.success) return errorResponse({ kind: 'invalid', message: firstIssue(parsed.error) });
    const { state, ...rest } = parsed.data;
    const updated = await tracker.update(refOf(event), { ...rest, ...(state ? { stateType: state as never } : {}) } as never);
    return updated.match((issue) => json({ issue }), errorResponse);
  });

  app.delete('/api/tracker/issues/:ref', async (event) =>
    (await tracker.remove(refOf(event))) ? json({ deleted: true }) : errorResponse({ kind: 'issueNotFound' }),
  );

  app.post('/api/tracker/issues/:ref/labels', async (event) => {
    const body = await readJsonObject(event);
    if (body.isErr()) return errorResponse(body.error);
    const parsed = z.object({ label }).safeParse(body.value);
    if (!parsed.success) return errorResponse({ kind: 'invalid', message: firstIssue(parsed.error) });
    return (await tracker.addLabel(refOf(event), parsed.data.label)).match((issue) => json({ issue }), errorResponse);
  });

  app.delete('/api/tracker/issues/:ref/labels/:label', async (event) => {
    const name = decodeURIComponent(getRouterParam(event, 'label') ?? '');
    return (await tracker.removeLabel(refOf(event), name)).match((issue) => json({ issue }), errorResponse);
  });

  app.post('/api/tracker/issues/:ref/comments', async (event) => {
    const body = await readJsonObject(event);
    if (body.isErr()) return errorResponse(body.error);
    const parsed = z.object({ body: z.string().trim().min(1).max(65_536) }).safeParse(body.value);
    if (!parsed.success) return errorResponse({ kind: 'invalid', message: firstIssue(parsed.error) });
    return (await tracker.comment(refOf(event), parsed.data.body)).match((comment) => json({ comment }, 201), errorResponse);
  });
}
