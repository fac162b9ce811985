import type { Logger } from '../ports/logger.port.js';

/** Where the secret values come from (the settings); re-exported for the hosts that build loggers. */
export { secretValues } from '../core/app/core-settings.js';

export interface LoggerOptions {
  /** Values that must never appear in a line (the configured secrets). */
  secrets: readonly string[];
  write?: (line: string) => void;
  now?: () => number;
}

const REDACTED = '[redacted]';

/**
 * One JSON line per entry on stderr. Every line passes through redaction of the configured
 * secret values, so an error message that happens to quote one cannot leak it.
 */
export function createLogger(options: LoggerOptions): Logger {
  const write = options.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const now = options.now ?? Date.now;
  // Longest first, so a secret that contains another is replaced whole. Values under 4
  // characters are skipped: replacing them would shred ordinary words in every line.
  const secrets = [...new Set(options.secrets.filter((s) => s.length >= 4))].sort((a, b) => b.length - a.length);
  const redact = (text: string) => secrets.reduce((acc, secret) => acc.split(secret).join(REDACTED), text);
  const log = (level: string) => (message: string, fields?: Record<string, unknown>) => {
    const entry = { at: new Date(now()).toISOString(), level, message, ...fields };
    write(redact(JSON.stringify(entry, errorsAsText)));
  };
  return { info: log('info'), warn: log('warn'), error: log('error') };
}

function errorsAsText(_key: string, value: unknown): unknown {
  return value instanceof Error ? `${value.name}: ${value.message}` : value;
}
