import { cutText } from './text-limit.js';

/**
 * What a run's result may post on its ticket of the comments its session sent: at most
 * MAX_SESSION_COMMENTS comments, the last of them holding every one past that, each at most
 * MAX_COMMENT_CHARS. A result carries up to 1 MiB: without a bound, one result of 95k tiny
 * comments was 95k tracker requests in a row — the team's rate limit, and the run's outcome
 * waiting behind them — and a comment larger than a tracker takes is refused whole.
 */
export const MAX_SESSION_COMMENTS = 10;
/** GitHub's comment limit (65,536 characters); Linear and Jira take more. */
export const MAX_COMMENT_CHARS = 65_536;

const SEPARATOR = '\n\n---\n\n';

export function sessionComments(bodies: readonly string[]): string[] {
  const kept = bodies.filter((body) => body.trim() !== '');
  const bounded =
    kept.length <= MAX_SESSION_COMMENTS
      ? kept
      : [...kept.slice(0, MAX_SESSION_COMMENTS - 1), kept.slice(MAX_SESSION_COMMENTS - 1).join(SEPARATOR)];
  return bounded.map(withinCommentLimit);
}

/** The text as it is, or its head with a note of how much was left out, within MAX_COMMENT_CHARS. */
export const withinCommentLimit = (text: string): string => cutText(text, MAX_COMMENT_CHARS);
