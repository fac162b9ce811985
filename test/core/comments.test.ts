import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatDuration,
  implementationFailedComment,
  LOG_LABELS,
  logExcerptComment,
  PROGRESS_EVENT_TYPES,
  type ProgressEvent,
  planningFailedComment,
  prOpenedComment,
  progressComment,
  progressHeadline,
  redactSecrets,
} from '../../core/domain/comments.js';

const AT = '2025-01-06T09:00:00.000Z';

describe('progress comments', () => {
  it('words every stage of a session run as the spec does', () => {
    const events: ProgressEvent[] = [
      { type: 'session_created' },
      { type: 'environment_ready' },
      { type: 'pr_opened', prNumber: 12, prUrl: 'https://github.com/acme/app/pull/12' },
      { type: 'verification_started' },
      { type: 'verification_passed' },
      { type: 'verification_failed', detail: '3 tests failed' },
      { type: 'session_cleaned_up', durationMs: 754_000 },
      { type: 'session_failed', reason: 'git clone failed' },
      { type: 'session_timed_out', reason: 'exceeded 90 minutes' },
    ];
    expect(events.map((e) => e.type)).toEqual(PROGRESS_EVENT_TYPES);
    expect(events.map(progressHeadline)).toEqual([
      '🚀 Session machine created. Cloning repo and running setup…',
      '✅ Environment ready. Claude is implementing…',
      '📝 Claude finished. PR #12 opened: https://github.com/acme/app/pull/12',
      '🧪 Running verification script…',
      '✅ Verification passed',
      '❌ Verification failed: 3 tests failed',
      '🧹 Session machine cleaned up. Duration: 12m 34s',
      '⚠️ Session failed: git clone failed. Machine will be cleaned up.',
      '⚠️ Session timed out: exceeded 90 minutes. Machine will be cleaned up.',
    ]);
  });

  it('adds the timestamp, and the logs link when there is one', () => {
    expect(progressComment({ type: 'verification_passed' }, { at: AT })).toBe(`✅ Verification passed\n\n🕒 ${AT}`);
    expect(progressComment({ type: 'session_created' }, { at: AT, logsUrl: 'https://fly.test/logs/m1' })).toBe(
      `🚀 Session machine created. Cloning repo and running setup…\n\n🕒 ${AT} · [Machine logs](https://fly.test/logs/m1)`,
    );
  });

  it('redacts secrets that leak into a reason', () => {
    const body = progressComment(
      { type: 'session_failed', reason: 'auth with sk-live-123456 failed' },
      { at: AT, secretValues: ['sk-live-123456'] },
    );
    expect(body).toContain('⚠️ Session failed: auth with [REDACTED] failed. Machine will be cleaned up.');
    expect(body).not.toContain('sk-live');
  });

  it('formats durations', () => {
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(59_999)).toBe('59s');
    expect(formatDuration(60_000)).toBe('1m 0s');
    expect(formatDuration(3_723_000)).toBe('1h 2m 3s');
    expect(formatDuration(-5)).toBe('0s');
  });
});

describe('outcome comments', () => {
  it('words failures as the spec does', () => {
    expect(planningFailedComment('Reached max turns (50)')).toBe('⚠️ Planning failed: Reached max turns (50)');
    expect(implementationFailedComment('PR creation failed with HTTP 422: token abcd1234', ['abcd1234'])).toBe(
      '⚠️ Implementation failed: PR creation failed with HTTP 422: token [REDACTED]',
    );
  });

  it('links the pull request', () => {
    expect(prOpenedComment('https://gh/pr/4')).toContain('https://gh/pr/4');
    expect(prOpenedComment('https://gh/pr/4', 4)).toBe('🔗 Pull request #4 opened: https://gh/pr/4');
  });
});

describe('log excerpt', () => {
  it('knows the spec labels', () => {
    expect(LOG_LABELS).toEqual([
      'container_failed',
      'container_timeout',
      'machine_timeout',
      'post_push_review_not_approved',
      'pr_not_found',
      'session_failed',
    ]);
  });

  it('labels the excerpt, redacts it and fences it', () => {
    const body = logExcerptComment({
      label: 'machine_timeout',
      log: 'step 1\nexport TOKEN=ghp_secretvalue\nstep 2\n',
      secretValues: ['ghp_secretvalue'],
    });
    expect(body).toBe(
      '📋 Log excerpt (machine_timeout): The session machine exceeded its lifetime\n\n```\nstep 1\nexport TOKEN=[REDACTED]\nstep 2\n```',
    );
  });

  it('keeps the tail of a long log, redacting before the cut', () => {
    const secret = 'SECRET-VALUE-XYZ';
    const log = `${'x'.repeat(100)}${secret}tail`;
    // A cut through the middle of the secret would leave "VALUE-XYZ" behind if redaction came second.
    const body = logExcerptComment({ label: 'session_failed', log, secretValues: [secret], maxChars: 12 });
    expect(body).not.toContain('VALUE');
    expect(body).toContain('\n…EDACTED]tail\n');
  });

  it('uses a fence the log cannot close', () => {
    const body = logExcerptComment({ label: 'container_failed', log: 'a\n```\nb ````` c', secretValues: [] });
    expect(body.split('\n')[2]).toBe('``````');
    expect(body.endsWith('\n``````')).toBe(true);
  });
});

describe('redactSecrets', () => {
  it('replaces every occurrence of each secret of 4+ characters', () => {
    expect(redactSecrets('a=hunter22 b=hunter22', ['hunter22'])).toBe('a=[REDACTED] b=[REDACTED]');
    expect(redactSecrets('pin 123 stays', ['123'])).toBe('pin 123 stays');
    expect(redactSecrets('nothing here', [])).toBe('nothing here');
  });

  it('lets the longest value win and leaves no fragment of overlapping values', () => {
    expect(redactSecrets('key=abcdefgh', ['abcd', 'abcdefgh'])).toBe('key=[REDACTED]');
    expect(redactSecrets('xx abcdef yy', ['abcd', 'cdef'])).toBe('xx [REDACTED] yy');
  });

  it('does not search inside its own replacement', () => {
    expect(redactSecrets('token SECRETS', ['SECRETS', 'REDA', 'ACTED'])).toBe('token [REDACTED]');
  });

  it('also redacts a value stored with a trailing newline', () => {
    expect(redactSecrets('value is abcd1234.', ['abcd1234\n'])).toBe('value is [REDACTED].');
  });

  it('never lets any secret of 4+ characters through (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ minLength: 4, maxLength: 10 }), { minLength: 1, maxLength: 4 }),
        fc.array(fc.string({ maxLength: 6 }), { maxLength: 6 }),
        (secrets, fillers) => {
          const text = fillers.map((f, i) => `${f}${secrets[i % secrets.length]}`).join('|') + secrets.join('');
          const out = redactSecrets(text, secrets);
          // Every secret is gone, unless it is literally part of the marker itself.
          for (const s of secrets) if (!'[REDACTED]'.includes(s)) expect(out.includes(s)).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });
});
