import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('the embedded tracker API', () => {
  it('creates, edits, labels, comments and deletes issues, numbering them per team', async () => {
    h = await startHarness('sqlite');
    const token = await h.login();
    const a = await h.call('POST', '/api/tracker/issues', { token, body: { teamKey: 'loc', title: 'First', priority: 2 } });
    expect(a.status).toBe(201);
    const first = ((await a.json()) as { issue: { id: string; identifier: string; labels: string[] } }).issue;
    expect(first).toMatchObject({ identifier: 'LOC-1', labels: [] });
    const b = await h.call('POST', '/api/tracker/issues', {
      token,
      body: { teamKey: 'LOC', title: 'Second', blockedBy: ['LOC-1'] },
    });
    const second = ((await b.json()) as { issue: { identifier: string; blockedBy: string[] } }).issue;
    expect(second).toMatchObject({ identifier: 'LOC-2', blockedBy: [first.id] });

    const labelled = await h.call('POST', '/api/tracker/issues/LOC-1/labels', { token, body: { label: 'AI-Implement' } });
    expect(((await labelled.json()) as { issue: { labels: string[] } }).issue.labels).toEqual(['AI-Implement']);
    const unlabelled = await h.call('DELETE', '/api/tracker/issues/LOC-1/labels/AI-Implement', { token });
    expect(((await unlabelled.json()) as { issue: { labels: string[] } }).issue.labels).toEqual([]);

    const edited = await h.call('PATCH', `/api/tracker/issues/${first.id}`, {
      token,
      body: { title: 'Renamed', state: 'completed' },
    });
    expect(((await edited.json()) as { issue: { title: string; stateType: string } }).issue).toMatchObject({
      title: 'Renamed',
      stateType: 'completed',
    });

    const comment = await h.call('POST', '/api/tracker/issues/LOC-1/comments', { token, body: { body: 'hello' } });
    expect(comment.status).toBe(201);
    const list = await h.call('GET', '/api/tracker/issues?teamKey=LOC', { token });
    const issues = ((await list.json()) as { issues: { identifier: string; comments: { body: string }[] }[] }).issues;
    expect(issues.map((i) => i.identifier)).toEqual(['LOC-1', 'LOC-2']);
    expect(issues[0]!.comments.map((c) => c.body)).toEqual(['hello']);

    expect((await h.call('DELETE', '/api/tracker/issues/LOC-2', { token })).status).toBe(200);
    expect((await h.call('GET', '/api/tracker/issues/LOC-2', { token })).status).toBe(404);
  });

  it('rejects bad input with a 4xx and an error, never a 500', async () => {
    h = await startHarness('memory');
    const token = await h.login();
    const cases: [string, string, unknown, number, string | RegExp][] = [
      ['POST', '/api/tracker/issues', {}, 400, /teamKey/],
      ['POST', '/api/tracker/issues', { teamKey: 'LOC' }, 400, /title/],
      ['POST', '/api/tracker/issues', { teamKey: 'LOC', title: 'x', priority: 9 }, 400, /priority/],
      ['POST', '/api/tracker/issues', { teamKey: 'LOC', title: 'x', labels: 'AI-Implement' }, 400, /labels/],
      ['POST', '/api/tracker/issues', { teamKey: 'LOC', title: 'x', blockedBy: ['NOPE-1'] }, 400, 'blockedBy: no issue NOPE-1'],
      ['POST', '/api/tracker/issues', [], 400, 'Invalid request body'],
      ['PATCH', '/api/tracker/issues/LOC-404', { title: 'x' }, 404, 'Issue not found'],
      ['POST', '/api/tracker/issues/LOC-404/comments', { body: 'x' }, 404, 'Issue not found'],
      ['POST', '/api/tracker/issues/LOC-404/labels', { label: '' }, 400, /label/],
    ];
    for (const [method, path, body, status, error] of cases) {
      const res = await h.call(method, path, { token, body });
      expect(res.status, `${method} ${path} ${JSON.stringify(body)}`).toBe(status);
      const json = (await res.json()) as { error: string };
      if (typeof error === 'string') expect(json.error).toBe(error);
      else expect(json.error).toMatch(error);
    }
    const garbage = await h.call('POST', '/api/tracker/issues', { token, raw: '{"teamKey":' });
    expect(garbage.status).toBe(400);
  });
});
