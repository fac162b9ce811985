import { type DestinationStream, type Logger as Pino, pino } from 'pino';
import type { LogLevel } from '../../core/app/core-settings.js';
import { redactDeep, redactSecrets } from '../../core/domain/redaction.js';
import type { Logger } from '../../ports/logger.port.js';

export interface PinoLoggerOptions {
  /** Values that must never appear in a line (the configured secrets). */
  secrets: readonly string[];
  /** The least severe level written (LOG_LEVEL); default info. */
  level?: LogLevel;
  /** Where each line goes, without its newline; default stderr. */
  write?: (line: string) => void;
  now?: () => number;
}

const REDACTED = '[redacted]';
/** The line's own keys: a field of that name (a reaper action's `at`) is written as `field.<name>`, never twice. */
const LINE_KEYS = new Set(['level', 'at', 'message']);
/** How deep an error's `cause` chain is followed. */
const MAX_CAUSES = 5;

/**
 * JSON lines through pino: `{"level":"info","at":"…","message":"…",…fields}`. Every value is
 * redacted of the configured secrets (in every encoding) before pino serialises it, so a value
 * with `"`, `\` or line breaks (a PEM key) is matched as itself; errors become
 * `{ type, message, stack, code?, cause? }` first, so their messages and stacks are redacted
 * too. The finished line is redacted once more before it leaves.
 */
export function createPinoLogger(options: PinoLoggerOptions): Logger {
  const secrets = [...new Set(options.secrets)];
  const now = options.now ?? Date.now;
  const write = options.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const destination: DestinationStream = {
    write: (line: string) => write(redactSecrets(line.endsWith('\n') ? line.slice(0, -1) : line, secrets, REDACTED)),
  };
  const root = pino(
    {
      level: options.level ?? 'info',
      base: undefined,
      messageKey: 'message',
      timestamp: () => `,"at":"${new Date(now()).toISOString()}"`,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
  const clean = (value: unknown) => {
    const fields = redactDeep(plainValue(value, 0), secrets, REDACTED) as Record<string, unknown>;
    if (!Object.keys(fields).some((key) => LINE_KEYS.has(key))) return fields;
    return Object.fromEntries(Object.entries(fields).map(([key, v]) => [LINE_KEYS.has(key) ? `field.${key}` : key, v]));
  };
  return wrap(root, clean, (message) => redactSecrets(message, secrets, REDACTED));
}

function wrap(
  instance: Pino,
  clean: (value: unknown) => Record<string, unknown>,
  cleanMessage: (message: string) => string,
): Logger {
  const at =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (message: string, fields?: Record<string, unknown>): void => {
      if (!instance.isLevelEnabled(level)) return;
      instance[level](fields ? clean(fields) : {}, cleanMessage(message));
    };
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (bindings) => wrap(instance.child(clean(bindings)), clean, cleanMessage),
  };
}

/** Errors (with their stack, code and cause chain) and other non-JSON values as plain JSON values. */
function plainValue(value: unknown, depth: number): unknown {
  if (value instanceof Error) return plainError(value, 0);
  if (depth > 8 || value === null || typeof value !== 'object') return typeof value === 'bigint' ? String(value) : value;
  if (Array.isArray(value)) return value.map((item) => plainValue(item, depth + 1));
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') return plainValue(toJSON.call(value), depth + 1);
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, plainValue(item, depth + 1)]));
}

function plainError(error: Error, depth: number): Record<string, unknown> {
  const code = (error as { code?: unknown }).code;
  const cause = error.cause;
  return {
    type: error.name,
    message: error.message,
    ...(error.stack ? { stack: error.stack } : {}),
    ...(typeof code === 'string' || typeof code === 'number' ? { code } : {}),
    ...(cause === undefined || depth >= MAX_CAUSES
      ? {}
      : { cause: cause instanceof Error ? plainError(cause, depth + 1) : plainValue(cause, 1) }),
  };
}
