import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MAX_COMMENT_CHARS,
  MAX_SESSION_COMMENTS,
  sessionComments,
  withinCommentLimit,
} from '../../core/domain/session-comments.js';

describe('the session comments a result posts', () => {
  it('posts a few comments as they are, in order, without the empty ones', () => {
    expect(sessionComments(['## Plan', '  ', 'Opened the PR.'])).toEqual(['## Plan', 'Opened the PR.']);
  });

  it('posts at most MAX_SESSION_COMMENTS, the last holding every one past it, and each within the limit', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.string({ minLength: 1, maxLength: 30 }).filter((s) => s.trim() !== ''),
          { maxLength: 40 },
        ),
        (bodies) => {
          const posted = sessionComments(bodies);
          expect(posted.length).toBe(Math.min(bodies.length, MAX_SESSION_COMMENTS));
          expect(posted.slice(0, MAX_SESSION_COMMENTS - 1)).toEqual(bodies.slice(0, MAX_SESSION_COMMENTS - 1));
          // Nothing is lost while within the size limit: the last comment holds the rest, in order.
          if (bodies.length > MAX_SESSION_COMMENTS)
            expect(posted.at(-1)).toBe(bodies.slice(MAX_SESSION_COMMENTS - 1).join('\n\n---\n\n'));
          for (const text of posted) expect(text.length).toBeLessThanOrEqual(MAX_COMMENT_CHARS);
        },
      ),
    );
  });

  it('cuts a comment past the limit to its head, says how much was left out, and never splits a surrogate pair', () => {
    const text = `${'a'.repeat(MAX_COMMENT_CHARS - 40)}${'😀'.repeat(100)}`;
    const cut = withinCommentLimit(text);
    expect(cut.length).toBeLessThanOrEqual(MAX_COMMENT_CHARS);
    const [head, note] = cut.split('\n\n… (');
    expect(text.startsWith(head as string)).toBe(true);
    expect(note).toBe(`${text.length - (head as string).length} more characters not shown)`);
    expect(/[\ud800-\udbff]$/.test(head as string)).toBe(false);
  });
});
