import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../hosts/config.js';
import { createLogger } from '../../../hosts/logger.js';
import { jobLogger, withFields } from '../../../ports/logger.port.js';
import { leakedIn } from '../../security/leak-detector.js';
import { type Harness, startHarness } from '../harness.js';
import { SHADOW } from '../v1/v1-helpers.js';

const SECRET = 'sk-live-0123456789abcdef';

function capture(level?: 'debug' | 'info' | 'warn' | 'error' | 'silent') {
  const lines: string[] = [];
  const logger = createLogger({ secrets: [SECRET], write: (l) => lines.push(l), now: () => 0, ...(level ? { level } : {}) });
  return { logger, lines, parsed: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('structured logs (pino behind the Logger port)', () => {
  it('writes one JSON line per entry at LOG_LEVEL and above', () => {
    const { logger, parsed } = capture('warn');
    logger.debug?.('d');
    logger.info('i');
    logger.warn('w', { n: 1 });
    logger.error('e');
    expect(parsed()).toEqual([
      { level: 'warn', at: '1970-01-01T00:00:00.000Z', n: 1, message: 'w' },
      { level: 'error', at: '1970-01-01T00:00:00.000Z', message: 'e' },
    ]);
    const debug = capture('debug');
    debug.logger.debug?.('d');
    expect(debug.parsed()).toMatchObject([{ level: 'debug', message: 'd' }]);
    const silent = capture('silent');
    silent.logger.error('e');
    expect(silent.lines).toEqual([]);
  });

  it('LOG_LEVEL is validated and defaults to info', () => {
    expect(loadConfig({})._unsafeUnwrap().logLevel).toBe('info');
    expect(loadConfig({ LOG_LEVEL: 'debug' })._unsafeUnwrap().logLevel).toBe('debug');
    expect(loadConfig({ LOG_LEVEL: 'chatty' })._unsafeUnwrapErr()).toBe(
      'Invalid configuration: LOG_LEVEL must be one of: debug, info, warn, error, silent',
    );
    expect(loadConfig({ STORAGE_WAIT: '1' })._unsafeUnwrap().storageWait).toBe(true);
    expect(loadConfig({ STORAGE_WAIT: 'maybe' })._unsafeUnwrapErr()).toBe('Invalid configuration: STORAGE_WAIT must be 1 or 0');
  });

  it('gives an error its type, stack, code and cause chain, redacted before serialising', () => {
    const { logger, lines, parsed } = capture();
    const root = Object.assign(new Error(`socket closed for ${SECRET}`), { code: 'ECONNRESET' });
    logger.error('call failed', { error: new Error('upstream failed', { cause: root }) });
    const [entry] = parsed();
    expect(entry).toMatchObject({
      level: 'error',
      message: 'call failed',
      error: {
        type: 'Error',
        message: 'upstream failed',
        stack: expect.stringContaining('upstream failed\n    at '),
        cause: { type: 'Error', message: 'socket closed for [redacted]', code: 'ECONNRESET', stack: expect.any(String) },
      },
    });
    expect(leakedIn(lines.join('\n'), [SECRET])).toEqual([]);
  });

  it('a child logger (per job, per request) carries its fields on every line, redacted too', () => {
    const { logger, lines, parsed } = capture();
    const job = jobLogger(logger, { id: 'job-1', identifier: 'ENG-7', teamKey: 'ENG' });
    job.warn('could not comment', { error: 'nope' });
    withFields(job, { requestId: `r-${SECRET}` }).info('nested');
    expect(parsed()).toMatchObject([
      { jobId: 'job-1', issue: 'ENG-7', teamKey: 'ENG', error: 'nope', message: 'could not comment' },
      { jobId: 'job-1', requestId: 'r-[redacted]', message: 'nested' },
    ]);
    expect(leakedIn(lines.join('\n'), [SECRET])).toEqual([]);
    // A logger without children of its own still gets the fields on each line.
    const plain: string[] = [];
    const bare = {
      info: (m: string, f?: Record<string, unknown>) => plain.push(JSON.stringify({ m, ...f })),
      warn() {},
      error() {},
    };
    withFields(bare, { jobId: 'j' }).info('x', { a: 1 });
    expect(plain).toEqual(['{"m":"x","jobId":"j","a":1}']);
  });
});

describe('request ids', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('answers with an x-request-id (the caller’s when it is a plain token) that the request’s log lines carry', async () => {
    h = await startHarness('memory', SHADOW);
    const given = await h.call('GET', '/healthz', { headers: { 'x-request-id': 'abc-123' } });
    expect(given.headers.get('x-request-id')).toBe('abc-123');
    const made = await h.call('GET', '/healthz', { headers: { 'x-request-id': 'bad id with spaces' } });
    expect(made.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);

    // A route that throws: its 500 line names the request.
    const token = await h.login();
    const harness = h;
    harness.orchestrator.cradle.mappings.list = () => Promise.reject(new Error('boom'));
    const failed = await h.call('GET', '/api/mappings', { token, headers: { 'x-request-id': 'req-42' } });
    expect(failed.status).toBe(500);
    const line = harness.logs.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.message === 'request failed');
    expect(line).toMatchObject({ requestId: 'req-42', path: '/api/mappings', error: { type: 'Error', message: 'boom' } });
  });
});
