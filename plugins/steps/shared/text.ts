import { redactSecrets } from '../../../core/domain/comments.js';

/** The last `max` characters of `text`, redacted first so a cut never leaves half a secret. */
export function safeTail(text: string, secrets: readonly string[], max = 2000): string {
  const redacted = redactSecrets(text, secrets).trim();
  return redacted.length > max ? `…${redacted.slice(redacted.length - max)}` : redacted;
}

/** The last non-empty line, redacted: a one-line detail for a ticket comment. */
export function lastLine(text: string, secrets: readonly string[], max = 300): string {
  const lines = redactSecrets(text, secrets)
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const line = lines[lines.length - 1] ?? '';
  return line.length > max ? `${line.slice(0, max)}…` : line;
}
