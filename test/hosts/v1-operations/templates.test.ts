import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, STORAGE_KINDS, startHarness } from '../harness.js';
import { getJson } from '../v1/v1-helpers.js';

type Template = { id: string; name: string; body: string; builtIn: boolean };
type Preview = { rendered: string | null; used: string[]; unresolved: string[]; error?: string };

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe.each(STORAGE_KINDS)('/api/v1/templates* on %s storage', (kind) => {
  it('lists the built-in prompts as read-only templates, with the variables a template may use', async () => {
    h = await startHarness(kind);
    const token = await h.login();
    const list = await getJson<{ templates: Template[]; variables: Record<string, string> }>(h, token, '/api/v1/templates');
    expect(list.templates.map((t) => t.id)).toEqual([
      'builtin-planning',
      'builtin-implementation',
      'builtin-gap-analysis',
      'builtin-review',
    ]);
    expect(list.templates.every((t) => t.builtIn)).toBe(true);
    expect(Object.keys(list.variables)).toEqual(
      expect.arrayContaining(['issue.identifier', 'mapping.repository', 'plan', 'pullRequest.url']),
    );
    const builtIn = await getJson<Template>(h, token, '/api/v1/templates/builtin-implementation');
    expect(builtIn.body).toContain('{{ issue.identifier }}');
    for (const [method, body] of [
      ['PUT', { name: 'mine' }],
      ['DELETE', undefined],
    ] as const) {
      const res = await h.call(method, '/api/v1/templates/builtin-implementation', { token, ...(body ? { body } : {}) });
      expect(res.status).toBe(409);
      expect(await res.json()).toEqual({ error: 'Built-in templates are read-only: copy one into a new template' });
    }
    const preview = await h.call('POST', '/api/v1/templates/builtin-planning/preview', { token });
    expect(preview.status).toBe(200);
    expect(((await preview.json()) as Preview).rendered).toContain('ENG-123: Add a dark mode toggle');
  });

  it('creates, reads, updates, previews and deletes a template; each change is an audit entry', async () => {
    h = await startHarness(kind);
    const token = await h.login();
    const body = 'Fix {{ issue.identifier }} in {{ mapping.repository }}{% if plan != blank %}\nPlan:\n{{ plan }}{% endif %}';
    const created = await h.call('POST', '/api/v1/templates', { token, body: { id: 'short-fix', name: 'Short fix', body } });
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ id: 'short-fix', name: 'Short fix', description: '', body, builtIn: false });
    expect(await getJson(h, token, '/api/v1/templates/short-fix')).toMatchObject({ id: 'short-fix', body });

    const dup = await h.call('POST', '/api/v1/templates', { token, body: { id: 'short-fix', name: 'x', body: 'y' } });
    expect(dup.status).toBe(409);
    expect(await dup.json()).toEqual({ error: 'Template short-fix already exists' });

    const preview = await h.call('POST', '/api/v1/templates/short-fix/preview', {
      token,
      body: { variables: { issue: { identifier: 'OPS-9' }, plan: '' } },
    });
    expect(preview.status).toBe(200);
    expect(await preview.json()).toEqual({
      id: 'short-fix',
      rendered: 'Fix OPS-9 in example/app',
      used: ['issue.identifier', 'mapping.repository', 'plan'],
      unresolved: [],
    });

    const updated = await h.call('PUT', '/api/v1/templates/short-fix', { token, body: { body: 'Hello {{ issue.titel }}' } });
    expect(updated.status).toBe(200);
    expect(await updated.json()).toMatchObject({ name: 'Short fix', body: 'Hello {{ issue.titel }}' });
    // Strict variables: a typo fails the render with the engine's message instead of rendering empty.
    const typo = (await (await h.call('POST', '/api/v1/templates/short-fix/preview', { token })).json()) as Preview;
    expect(typo).toMatchObject({ rendered: null, used: ['issue.titel'], unresolved: ['issue.titel'] });
    expect(typo.error).toMatch(/undefined variable: issue\.titel/);

    const deleted = await h.call('DELETE', '/api/v1/templates/short-fix', { token });
    expect(deleted.status).toBe(200);
    expect(await deleted.json()).toEqual({ deleted: true, id: 'short-fix' });
    for (const [method, path] of [
      ['GET', '/api/v1/templates/short-fix'],
      ['PUT', '/api/v1/templates/short-fix'],
      ['DELETE', '/api/v1/templates/short-fix'],
      ['POST', '/api/v1/templates/short-fix/preview'],
    ] as const) {
      const res = await h.call(method, path, { token, ...(method === 'PUT' ? { body: { name: 'n' } } : {}) });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(await res.json()).toEqual({ error: 'Template not found' });
    }
    const audit = await getJson<{ entries: { action: string; target: string }[] }>(h, token, '/api/v1/audit?action=template');
    expect(audit.entries.map((e) => [e.action, e.target])).toEqual([
      ['template.deleted', 'short-fix'],
      ['template.updated', 'short-fix'],
      ['template.created', 'short-fix'],
    ]);
  });

  it('refuses bad templates with 400: a syntax error carries the engine’s message', async () => {
    h = await startHarness(kind);
    const token = await h.login();
    const cases: [unknown, string | RegExp][] = [
      [{ id: 'bad', name: 'Bad', body: 'Hi {% if %}' }, /^Template syntax error: invalid value expression: "", line:1/],
      [{ id: 'bad', name: 'Bad', body: '{{ x | nosuchfilter }}' }, /^Template syntax error: undefined filter: nosuchfilter/],
      [
        { id: 'Bad Id', name: 'Bad', body: 'x' },
        'id must be lowercase letters, digits, dashes or underscores (at most 64), not starting with builtin-',
      ],
      [
        { id: 'builtin-mine', name: 'Bad', body: 'x' },
        'id must be lowercase letters, digits, dashes or underscores (at most 64), not starting with builtin-',
      ],
      [
        { id: 7, name: 'Bad', body: 'x' },
        'id must be lowercase letters, digits, dashes or underscores (at most 64), not starting with builtin-',
      ],
      [{ id: 'ok', body: 'x' }, 'name is required'],
      [{ id: 'ok', name: 'Ok' }, 'body is required'],
      [{ id: 'ok', name: 'Ok', body: 'x', description: 3 }, 'description must be a string'],
    ];
    for (const [body, error] of cases) {
      const res = await h.call('POST', '/api/v1/templates', { token, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(((await res.json()) as { error: string }).error).toMatch(error);
    }
    const notJson = await h.call('POST', '/api/v1/templates', { token, raw: '{nope' });
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toEqual({ error: 'Invalid request body' });
    const badVariables = await h.call('POST', '/api/v1/templates/builtin-review/preview', { token, body: { variables: 'x' } });
    expect(badVariables.status).toBe(400);
    expect(await badVariables.json()).toEqual({ error: 'variables must be a JSON object' });
    expect((await getJson<{ templates: unknown[] }>(h, token, '/api/v1/templates')).templates).toHaveLength(4);
  });

  it('never reads files: include and render fail the preview', async () => {
    h = await startHarness(kind);
    const token = await h.login();
    for (const [id, body] of [
      ['incl', '{% include "/etc/passwd" %}'],
      ['rend', '{% render "../../package.json" %}'],
    ]) {
      expect((await h.call('POST', '/api/v1/templates', { token, body: { id, name: id, body } })).status).toBe(201);
      const preview = (await (await h.call('POST', `/api/v1/templates/${id}/preview`, { token })).json()) as Preview;
      expect(preview.rendered).toBeNull();
      expect(preview.error).toMatch(/ENOENT/);
      expect(JSON.stringify(preview)).not.toContain('root:');
    }
  });
});
