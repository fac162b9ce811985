/**
 * Logger — structured, levelled lines. Implementations redact every configured secret
 * before a line leaves the process; callers pass facts as fields, never pre-formatted text
 * that could hide a secret from redaction.
 */
export interface Logger {
  /** Detail an operator turns on with LOG_LEVEL=debug; loggers without it drop the line. */
  debug?(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  /** A logger whose every line carries `bindings` (a job's id, a request id). */
  child?(bindings: Record<string, unknown>): Logger;
}

/** `logger` with `bindings` on every line: its own child logger, or the fields merged in. */
export function withFields(logger: Logger, bindings: Record<string, unknown>): Logger {
  if (logger.child) return logger.child(bindings);
  const merge = (fields?: Record<string, unknown>) => ({ ...bindings, ...fields });
  return {
    debug: (message, fields) => logger.debug?.(message, merge(fields)),
    info: (message, fields) => logger.info(message, merge(fields)),
    warn: (message, fields) => logger.warn(message, merge(fields)),
    error: (message, fields) => logger.error(message, merge(fields)),
    child: (more) => withFields(logger, { ...bindings, ...more }),
  };
}

/** The child logger for one job: every line names the job, its issue and team. */
export function jobLogger(logger: Logger, job: { id: string; identifier?: string; teamKey?: string }): Logger {
  return withFields(logger, {
    jobId: job.id,
    ...(job.identifier ? { issue: job.identifier } : {}),
    ...(job.teamKey ? { teamKey: job.teamKey } : {}),
  });
}
