import { createPinoLogger, type PinoLoggerOptions } from '../adapters/system/pino-logger.adapter.js';
import type { Logger } from '../ports/logger.port.js';

/** Where the secret values come from (the settings); re-exported for the hosts that build loggers. */
export { secretValues } from '../core/app/core-settings.js';

export type LoggerOptions = PinoLoggerOptions;

/**
 * The hosts' logger: one JSON line per entry on stderr (pino), at LOG_LEVEL and above, every
 * configured secret redacted from each value before it is serialised and from the line after.
 */
export function createLogger(options: LoggerOptions): Logger {
  return createPinoLogger(options);
}
