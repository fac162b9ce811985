/**
 * Logger — structured, levelled lines. Implementations redact every configured secret
 * before a line leaves the process; callers pass facts as fields, never pre-formatted text
 * that could hide a secret from redaction.
 */
export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}
