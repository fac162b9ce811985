import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { handOffCredentials } from '../../../adapters/runners/local/credentials-file.js';
import { takeRunCredentials } from '../../../hosts/session/run-credentials.js';

describe('run credentials handed over in a file', () => {
  it('leaves the environment without them and the file readable by its owner only, deleted by the session', () => {
    const handed = handOffCredentials({
      AI_IMPLEMENT_JOB_ID: 'j',
      AI_IMPLEMENT_RESULT_TOKEN: 'result-secret',
      AI_IMPLEMENT_PROGRESS_TOKEN: 'progress-secret',
      AI_IMPLEMENT_NONCE: 'nonce-secret',
    });
    try {
      expect(Object.keys(handed.env).sort()).toEqual(['AI_IMPLEMENT_CREDENTIALS_FILE', 'AI_IMPLEMENT_JOB_ID']);
      expect(JSON.stringify(handed.env)).not.toMatch(/secret/);
      const file = handed.env.AI_IMPLEMENT_CREDENTIALS_FILE!;
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(statSync(dirname(file)).mode & 0o777).toBe(0o700);
      expect(readFileSync(file, 'utf8')).toContain('nonce-secret');

      process.env.AI_IMPLEMENT_NONCE = 'stale-nonce-in-env';
      const taken = takeRunCredentials(handed.env);
      if ('error' in taken) throw new Error(taken.error);
      expect(taken.env).toMatchObject({
        AI_IMPLEMENT_JOB_ID: 'j',
        AI_IMPLEMENT_RESULT_TOKEN: 'result-secret',
        AI_IMPLEMENT_PROGRESS_TOKEN: 'progress-secret',
        AI_IMPLEMENT_NONCE: 'nonce-secret',
      });
      expect(taken.env.AI_IMPLEMENT_CREDENTIALS_FILE).toBeUndefined();
      expect(existsSync(file)).toBe(false);
      // Nothing the session starts later inherits a credential through process.env.
      expect(process.env.AI_IMPLEMENT_NONCE).toBeUndefined();
    } finally {
      handed.cleanup();
    }
    expect(existsSync(dirname(handed.env.AI_IMPLEMENT_CREDENTIALS_FILE!))).toBe(false);
  });

  it("moves the run's secrets (the team's, extraEnv) into the file too, and takes back no setting or loader variable from it", () => {
    const handed = handOffCredentials({
      AI_IMPLEMENT_JOB_ID: 'j',
      AI_IMPLEMENT_NONCE: 'nonce-secret',
      ANTHROPIC_API_KEY: 'sk-ant-team-secret',
      ENG_DEPLOY_KEY: 'deploy-secret',
    });
    try {
      expect(Object.keys(handed.env).sort()).toEqual(['AI_IMPLEMENT_CREDENTIALS_FILE', 'AI_IMPLEMENT_JOB_ID']);
      const file = handed.env.AI_IMPLEMENT_CREDENTIALS_FILE!;
      expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({
        AI_IMPLEMENT_NONCE: 'nonce-secret',
        ANTHROPIC_API_KEY: 'sk-ant-team-secret',
        ENG_DEPLOY_KEY: 'deploy-secret',
      });
      // A file that says more than a runner writes: a setting, a loader variable, PATH, HOME.
      writeFileSync(
        file,
        JSON.stringify({
          AI_IMPLEMENT_NONCE: 'nonce-secret',
          ANTHROPIC_API_KEY: 'sk-ant-team-secret',
          AI_IMPLEMENT_CALLBACK_URL: 'http://evil.example',
          NODE_OPTIONS: '--require /tmp/evil.js',
          LD_PRELOAD: '/tmp/evil.so',
          PATH: '/tmp/evil',
          HOME: '/tmp/evil',
          GIT_SSH_COMMAND: 'evil',
        }),
      );
      const taken = takeRunCredentials({ ...handed.env, PATH: '/usr/bin', AI_IMPLEMENT_CALLBACK_URL: 'http://ok.example' });
      if ('error' in taken) throw new Error(taken.error);
      expect(taken.env).toEqual({
        AI_IMPLEMENT_JOB_ID: 'j',
        AI_IMPLEMENT_NONCE: 'nonce-secret',
        AI_IMPLEMENT_CALLBACK_URL: 'http://ok.example',
        ANTHROPIC_API_KEY: 'sk-ant-team-secret',
        PATH: '/usr/bin',
      });
      expect(process.env.ANTHROPIC_API_KEY).not.toBe('sk-ant-team-secret');
    } finally {
      handed.cleanup();
    }
  });

  it('says so when the file cannot be read', () => {
    const taken = takeRunCredentials({ AI_IMPLEMENT_CREDENTIALS_FILE: '/nonexistent/credentials.json' });
    expect('error' in taken && taken.error).toContain('AI_IMPLEMENT_CREDENTIALS_FILE');
  });
});
