import { afterEach, describe, expect, it } from 'vitest';
import { type FakeJira, startFakeJira } from '../../../testing/fakes/jira/jira-fake.js';
import { ACCESS_CODE, type Harness, startHarness } from '../harness.js';

let h: Harness | undefined;
let jira: FakeJira | undefined;
afterEach(async () => {
  await h?.close();
  await jira?.close();
  h = jira = undefined;
});

async function withJira() {
  jira = await startFakeJira({ projects: ['ENG'] });
  h = await startHarness('memory', {
    ADMIN_ACCESS_CODE: ACCESS_CODE,
    JIRA_HOST: jira.url,
    JIRA_EMAIL: jira.email,
    JIRA_API_TOKEN: jira.apiToken,
  });
  return { harness: h, fake: jira, token: await h.login() };
}

describe('Jira configuration routes', () => {
  it('answer 501 Jira not configured without a Jira connection', async () => {
    h = await startHarness('memory');
    const token = await h.login();
    for (const [method, path, body] of [
      ['POST', '/api/jira/validate-jql', { jql: 'project = ENG' }],
      ['GET', '/api/jira/fields', undefined],
      ['GET', '/api/jira/field-options?fieldId=customfield_10050', undefined],
    ] as const) {
      const res = await h.call(method, path, { token, ...(body ? { body } : {}) });
      expect(res.status, path).toBe(501);
      expect(await res.json()).toEqual({ error: 'Jira not configured' });
    }
  });

  it('validate-jql: 400 Invalid JSON body, 400 jql field required, 400 with the validation message, 200 when valid', async () => {
    const { harness, token } = await withJira();
    const notJson = await harness.call('POST', '/api/jira/validate-jql', { token, raw: '{nope' });
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toEqual({ error: 'Invalid JSON body' });

    for (const body of [{}, { jql: '' }, { jql: 42 }, []]) {
      const res = await harness.call('POST', '/api/jira/validate-jql', { token, body });
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ error: 'jql field required' });
    }

    const invalid = await harness.call('POST', '/api/jira/validate-jql', { token, body: { jql: 'project = = ENG' } });
    expect(invalid.status).toBe(400);
    const message = ((await invalid.json()) as { error: string }).error;
    expect(message).toMatch(/\S/);
    expect(message).not.toBe('jql field required');

    const valid = await harness.call('POST', '/api/jira/validate-jql', { token, body: { jql: 'project = ENG' } });
    expect(valid.status).toBe(200);
  });

  it('fields lists custom fields; field-options needs fieldId and answers [] for a field without options', async () => {
    const { harness, token } = await withJira();
    const fields = await harness.call('GET', '/api/jira/fields', { token });
    expect(fields.status).toBe(200);
    const { fields: list } = (await fields.json()) as { fields: { id: string; name: string }[] };
    expect(list.map((f) => f.id)).toContain('customfield_10050');

    const missing = await harness.call('GET', '/api/jira/field-options', { token });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toEqual({ error: 'fieldId query param required' });

    const options = await harness.call('GET', '/api/jira/field-options?fieldId=customfield_10050', { token });
    expect(options.status).toBe(200);
    expect(((await options.json()) as { options: { value: string }[] }).options.map((o) => o.value)).toEqual([
      'api',
      'web',
      'mobile',
    ]);

    const none = await harness.call('GET', '/api/jira/field-options?fieldId=customfield_10016', { token });
    expect(none.status).toBe(200);
    expect(await none.json()).toEqual({ options: [] });
  });

  it('answers 500 with the underlying message when Jira fails', async () => {
    const { harness, token, fake } = await withJira();
    fake.failNext('serverError', { times: 10 });
    const res = await harness.call('GET', '/api/jira/fields', { token });
    expect(res.status).toBe(500);
    expect(((await res.json()) as { error: string }).error).toMatch(/\S/);
  });
});
