import type { IncomingMessage } from 'node:http';
import type { H3Event } from 'h3';
import { err, ok, type Result } from 'neverthrow';
import type { HttpError } from './errors.js';

/** Strict UTF-8 (a malformed byte throws); one decoder for every body: a decode without `stream` keeps no state. */
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** The largest request body any route reads. */
export const MAX_BODY_BYTES = 1024 * 1024;

/**
 * Reads the body as JSON without ever buffering more than `limit` bytes: a declared
 * Content-Length over the limit is refused before reading, and a streamed body is cut off
 * as soon as it passes the limit (413 `tooLarge`). Empty (unless `optional`: then undefined),
 * non-UTF-8 and unparsable bodies are `invalidBody`; a route's spec says what that answers.
 */
export async function readJson(
  event: H3Event,
  limit = MAX_BODY_BYTES,
  { optional = false }: { optional?: boolean } = {},
): Promise<Result<unknown, HttpError>> {
  const raw = await readRawBody(event, limit);
  if (raw.isErr()) return err(raw.error);
  let text: string;
  try {
    text = UTF8.decode(raw.value);
  } catch {
    return err({ kind: 'invalidBody' });
  }
  if (text.trim() === '') return optional ? ok(undefined) : err({ kind: 'invalidBody' });
  try {
    return ok(JSON.parse(text) as unknown);
  } catch {
    return err({ kind: 'invalidBody' });
  }
}

/**
 * The exact bytes of the body (for signature checks), under the same limit. A missing body
 * is an empty buffer.
 */
export function readRawBody(event: H3Event, limit = MAX_BODY_BYTES): Promise<Result<Buffer, HttpError>> {
  const declared = Number(event.req.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > limit) return Promise.resolve(err({ kind: 'tooLarge' }));
  // Not an async function: the Node read's own promise is the answer, without a turn more per layer.
  const node = nodeRequestOf(event);
  return node ? readNodeBody(node, event, limit) : readWebBody(event, limit);
}

async function readWebBody(event: H3Event, limit: number): Promise<Result<Buffer, HttpError>> {
  const stream = event.req.body;
  if (!stream) return ok(Buffer.alloc(0));
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limit) {
        await reader.cancel().catch(() => {});
        return err({ kind: 'tooLarge' });
      }
      chunks.push(value);
    }
  } catch (error) {
    // srvx enforces its own limit by failing the stream with a 413-shaped error.
    const status = (error as { status?: unknown } | null)?.status;
    return err(status === 413 ? { kind: 'tooLarge' } : { kind: 'invalidBody' });
  }
  return keep(event, Buffer.concat(chunks));
}

/** A body read whole, kept by reference for the security watch, which looks at a refused request's body (security-watch.ts). */
function keep(event: H3Event, body: Buffer): Result<Buffer, HttpError> {
  event.context[READ_BODY] = body;
  return ok(body);
}

/** Where readRawBody leaves the body it read on the event's context. */
export const READ_BODY = 'aiImplementReadBody';

/** The Node request under srvx's adapter, while nothing has touched its web body (a fetch-style app has none). */
function nodeRequestOf(event: H3Event): IncomingMessage | undefined {
  const runtime = (event.req as { runtime?: { node?: { req?: IncomingMessage } } }).runtime;
  const req = runtime?.node?.req;
  return req && !event.req.bodyUsed ? req : undefined;
}

/**
 * The body straight from the Node stream, under the same limit: srvx would wrap it in a web
 * ReadableStream first (`Readable.toWeb`), which cost a third of a small request's time.
 */
function readNodeBody(req: IncomingMessage, event: H3Event, limit: number): Promise<Result<Buffer, HttpError>> {
  const method = event.req.method;
  if (method === 'GET' || method === 'HEAD') return Promise.resolve(keep(event, Buffer.alloc(0)));
  if (req.readableEnded || req.destroyed) return Promise.resolve(err({ kind: 'invalidBody' }));
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (result: Result<Buffer, HttpError>) => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onFailure);
      req.off('close', onFailure);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.pause();
        finish(err({ kind: 'tooLarge' }));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => finish(keep(event, chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    const onFailure = () => finish(err({ kind: 'invalidBody' }));
    // `on`, not `once`: finish takes every listener off at the first of them (and once wraps each).
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onFailure);
    req.on('close', onFailure);
  });
}
