import type { IncomingMessage, ServerResponse } from 'node:http';

/** What every GitHub error body carries; `status` is a string, as GitHub sends it. */
export interface GithubErrorBody {
  message: string;
  documentation_url: string;
  status: string;
  errors?: unknown[];
}

/** A reply the router hands back; the server adds the common headers. */
export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

const DOCS = 'https://docs.github.com/rest';

export function ok(body: unknown, status = 200, headers?: Record<string, string>): Reply {
  return { status, body, headers };
}

export function noContent(): Reply {
  return { status: 204 };
}

export function fail(status: number, message: string, extra: { errors?: unknown[]; documentationUrl?: string } = {}): Reply {
  const body: GithubErrorBody = { message, documentation_url: extra.documentationUrl ?? DOCS, status: String(status) };
  if (extra.errors) body.errors = extra.errors;
  return { status, body };
}

export const notFound = () => fail(404, 'Not Found');
export const notAccessible = () => fail(403, 'Resource not accessible by integration');

/** GitHub's shape for a request that failed field validation. */
export function validationFailed(errors: unknown[]): Reply {
  return fail(422, 'Validation Failed', { errors });
}

export async function readBody(req: IncomingMessage): Promise<{ raw: string; json: unknown }> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks).toString('utf8');
  if (raw === '') return { raw, json: undefined };
  try {
    return { raw, json: JSON.parse(raw) };
  } catch {
    return { raw, json: undefined };
  }
}

export function send(res: ServerResponse, reply: Reply, common: Record<string, string>): void {
  const headers: Record<string, string> = { ...common, ...reply.headers };
  if (reply.status === 204 || reply.body === undefined) {
    res.writeHead(reply.status, headers);
    res.end();
    return;
  }
  const text = JSON.stringify(reply.body);
  headers['content-type'] = 'application/json; charset=utf-8';
  headers['content-length'] = String(Buffer.byteLength(text));
  res.writeHead(reply.status, headers);
  res.end(text);
}

/** GitHub timestamps: ISO 8601 in UTC without milliseconds. */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
