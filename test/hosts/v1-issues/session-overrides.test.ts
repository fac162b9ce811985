import { afterEach, describe, expect, it } from 'vitest';
import { readSessionEnv } from '../../../hosts/session/session-env.js';
import { type SessionFixture, sessionFixture } from '../../session/session-fixture.js';

const RUN = {
  AI_IMPLEMENT_JOB_ID: 'job-1',
  AI_IMPLEMENT_PHASE: 'implementation',
  AI_IMPLEMENT_ISSUE: 'ENG-7',
  AI_IMPLEMENT_CALLBACK_URL: 'http://127.0.0.1:4000/',
  AI_IMPLEMENT_RESULT_TOKEN: 'ait1.result.sig',
  AI_IMPLEMENT_PROGRESS_TOKEN: 'ait1.progress.sig',
  AI_IMPLEMENT_NONCE: 'nonce-123456',
  AI_IMPLEMENT_OWNER: 'acme',
  AI_IMPLEMENT_REPO: 'app',
};

describe('the session reads the issue overrides', () => {
  it('AI_IMPLEMENT_MODEL and AI_IMPLEMENT_PROMPT_TEMPLATE become the session settings, and never reach the agent env', () => {
    const config = readSessionEnv({
      ...RUN,
      AI_IMPLEMENT_MODEL: 'o4-mini',
      AI_IMPLEMENT_PROMPT_TEMPLATE: 'Do {{ issue.identifier }}',
    })._unsafeUnwrap();
    expect(config).toMatchObject({ model: 'o4-mini', promptTemplate: 'Do {{ issue.identifier }}' });
    expect(Object.keys(config.agentEnv)).not.toContain('AI_IMPLEMENT_MODEL');
    const plain = readSessionEnv({ ...RUN, AI_IMPLEMENT_MODEL: '  ' })._unsafeUnwrap();
    expect(plain.model).toBeUndefined();
    expect(plain.promptTemplate).toBeUndefined();
  });
});

describe('an implementation run with overrides', () => {
  const fixtures: SessionFixture[] = [];
  afterEach(async () => {
    while (fixtures.length > 0) await fixtures.pop()?.cleanup();
  });

  it("the operator's model and prompt template beat WORKFLOW.md's", async () => {
    const f = await sessionFixture();
    fixtures.push(f);
    const outcome = await f.run({
      config: { model: 'o4-mini', promptTemplate: 'Operator prompt for {{ issue.identifier }}.\nWrite AGENT_CHANGE.md.' },
    });
    expect(outcome).toMatchObject({ outcome: 'success' });
    const calls = await f.agentCalls();
    expect(calls.map((c) => c.kind)).toEqual(['implement', 'review']);
    for (const call of calls) expect(call.argv[call.argv.indexOf('--model') + 1]).toBe('o4-mini');
    expect(calls[0]?.argv[calls[0].argv.indexOf('-p') + 1]).toMatch(/^Operator prompt for ENG-1\./);
  });
});
