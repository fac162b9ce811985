import { existsSync, readFileSync, statSync } from 'node:fs';
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

  it('says so when the file cannot be read', () => {
    const taken = takeRunCredentials({ AI_IMPLEMENT_CREDENTIALS_FILE: '/nonexistent/credentials.json' });
    expect('error' in taken && taken.error).toContain('AI_IMPLEMENT_CREDENTIALS_FILE');
  });
});
