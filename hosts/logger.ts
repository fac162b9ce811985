import { redactDeep, redactSecrets } from '../core/domain/redaction.js';
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
 * One JSON line per entry on stderr. The entry's values are redacted of the configured secret
 * values (in every encoding) before they are serialised, so a value with `"`, `\` or line
 * breaks (a PEM key) is matched as itself; the line is redacted once more after.
 */
export function createLogger(options: LoggerOptions): Logger {
  const write = options.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const now = options.now ?? Date.now;
  const secrets = [...new Set(options.secrets)];
  const log = (level: string) => (message: string, fields?: Record<string, unknown>) => {
    const entry = { at: new Date(now()).toISOString(), level, message, ...fields };
    // Errors become text first, so their messages are redacted like any other value.
    const plain = JSON.parse(JSON.stringify(entry, errorsAsText)) as unknown;
    write(redactSecrets(JSON.stringify(redactDeep(plain, secrets, REDACTED)), secrets, REDACTED));
  };
  return { info: log('info'), warn: log('warn'), error: log('error') };
}

function errorsAsText(_key: string, value: unknown): unknown {
  return value instanceof Error ? `${value.name}: ${value.message}` : value;
}
