import { describe, expect, it } from 'vitest';
import { sessionCommand } from '../../hosts/session/session-command.js';

describe('ai-implement session', () => {
  it('exits 2 and names what is missing when the run environment is incomplete', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await sessionCommand({ AI_IMPLEMENT_JOB_ID: 'j' }, { out: (l) => out.push(l), err: (l) => err.push(l) });
    expect(code).toBe(2);
    expect(err.join('\n')).toContain('AI_IMPLEMENT_PHASE');
    expect(out).toEqual([]);
  });

  it('exits 3 when the orchestrator cannot be reached to take the result', async () => {
    const out: string[] = [];
    const code = await sessionCommand(
      {
        AI_IMPLEMENT_JOB_ID: 'job-1',
        AI_IMPLEMENT_PHASE: 'planning',
        AI_IMPLEMENT_ISSUE: 'ENG-1',
        AI_IMPLEMENT_CALLBACK_URL: 'http://127.0.0.1:9',
        AI_IMPLEMENT_RESULT_TOKEN: 'r',
        AI_IMPLEMENT_PROGRESS_TOKEN: 'p',
        AI_IMPLEMENT_NONCE: 'n',
        AI_IMPLEMENT_OWNER: 'acme',
        AI_IMPLEMENT_REPO: 'app',
        AI_IMPLEMENT_FORGE: 'local',
        AI_IMPLEMENT_REPO_URL: '/nonexistent/acme/app.git',
        AI_IMPLEMENT_WORKSPACE_DIR: '/tmp/ai-implement-session-command-test',
      },
      { out: (l) => out.push(l), err: () => undefined },
      async () => undefined,
    );
    expect(code).toBe(3);
    expect(out.join('\n')).toMatch(/result failure: git clone failed \(exit 128\).*NOT delivered/s);
  });
});
