import type { IncomingHttpHeaders } from 'node:http';

/**
 * Bedrock runtime's model calls, the ones Claude Code (the Anthropic Bedrock SDK) makes and
 * their Converse siblings: `/model/{model id, URI-encoded}/{action}`. Anything else is 404.
 */
const BEDROCK_PATH = /^\/model\/[^/]+\/(invoke|invoke-with-response-stream|converse|converse-stream|count-tokens)$/;

/** The sandbox's own credentials, and headers a signature must not cover or the hop rewrites. */
const DROPPED = /^(authorization|x-api-key|host|content-length|transfer-encoding|expect|x-amz-.*)$/;

/** RFC 3986's unreserved characters kept, everything else percent-encoded: what SigV4 expects. */
const encode = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/**
 * The path the sandbox asked for, each segment re-encoded the one way SigV4 and AWS agree on
 * (a model id's `:` as `%3A`, an inference profile ARN's `/` as `%2F`), or undefined when it
 * is no Bedrock model call. A signer encodes it once more, as AWS does for every service but S3.
 */
export function bedrockPath(pathname: string): string | undefined {
  let path: string;
  try {
    path = pathname
      .split('/')
      .map((segment) => encode(decodeURIComponent(segment)))
      .join('/');
  } catch {
    return undefined;
  }
  return BEDROCK_PATH.test(path) ? path : undefined;
}

/** What the sandbox sent, its path already judged (`bedrockPath`) and its body read whole. */
export interface BedrockCall {
  method: string;
  path: string;
  search: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** A call as it goes upstream: the path and query exactly as the credential covers them. */
export interface OutgoingBedrockCall {
  method: string;
  /** The base's path, then the call's. */
  path: string;
  /** Sorted and RFC 3986-encoded, with its `?`; empty for none. */
  search: string;
  query: Record<string, string[]>;
  headers: Record<string, string>;
  body: Buffer;
}

/**
 * The call for the base URL (`https://bedrock-runtime.<region>.amazonaws.com`, or a gateway's):
 * the sandbox's own `authorization`, `x-api-key` and `x-amz-*` headers dropped, `host` the
 * base's, the length of the body read; everything else as sent.
 */
export function outgoingCall(base: URL, call: BedrockCall): OutgoingBedrockCall {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(call.headers)) {
    if (value === undefined || DROPPED.test(name)) continue;
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  headers.host = base.host;
  if (call.body.length > 0 || !['GET', 'HEAD'].includes(call.method)) headers['content-length'] = String(call.body.length);
  const query: Record<string, string[]> = {};
  for (const [name, value] of call.search) query[name] = [...(query[name] ?? []), value];
  const pairs = [...call.search].map(([k, v]) => `${encode(k)}=${encode(v)}`).sort();
  return {
    method: call.method,
    path: `${base.pathname.replace(/\/+$/, '')}${call.path}`,
    search: pairs.length > 0 ? `?${pairs.join('&')}` : '',
    query,
    headers,
    body: call.body,
  };
}

/** Adds the session's credential to an outgoing call: a SigV4 signature, or a Bedrock API key. */
export type BedrockAuthorizer = (base: URL, call: OutgoingBedrockCall) => Promise<Record<string, string>>;

/**
 * A Bedrock API key (`AWS_BEARER_TOKEN_BEDROCK`), sent as the Anthropic Bedrock SDK sends it:
 * `Authorization: Bearer …`, and no signature.
 */
export const bearerAuthorizer =
  (token: string): BedrockAuthorizer =>
  async (_base, call) => ({ ...call.headers, authorization: `Bearer ${token}` });
