import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { SignatureV4 } from '@smithy/signature-v4';

/** The AWS keys that sign Bedrock requests: they stay in the session. */
export interface AwsKeys {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/**
 * Bedrock runtime's model calls, the ones Claude Code (the Anthropic Bedrock SDK) makes and
 * their Converse siblings: `/model/{model id, URI-encoded}/{action}`. Anything else is 404.
 */
const BEDROCK_PATH = /^\/model\/[^/]+\/(invoke|invoke-with-response-stream|converse|converse-stream|count-tokens)$/;

/** The sandbox's own credentials, and headers the signature must not cover or the hop rewrites. */
const DROPPED = /^(authorization|x-api-key|host|content-length|transfer-encoding|expect|x-amz-.*)$/;

/** RFC 3986's unreserved characters kept, everything else percent-encoded: what SigV4 expects. */
const encode = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** node:crypto as the signer's `sha256` (a Hash with a secret is an HMAC). */
type SourceData = string | ArrayBuffer | ArrayBufferView;
const bytes = (data: SourceData) =>
  typeof data === 'string'
    ? Buffer.from(data, 'utf8')
    : ArrayBuffer.isView(data)
      ? Buffer.from(data.buffer, data.byteOffset, data.byteLength)
      : Buffer.from(data);
class NodeSha256 {
  private readonly hash: Hash | Hmac;
  constructor(secret?: SourceData) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: SourceData): void {
    this.hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
}

/**
 * The path the sandbox asked for, each segment re-encoded the one way SigV4 and AWS agree on
 * (a model id's `:` as `%3A`, an inference profile ARN's `/` as `%2F`), or undefined when it
 * is no Bedrock model call. The signer encodes it once more, as AWS does for every service but S3.
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

/** The query in the one encoding the signature covers: sorted, RFC 3986. */
function canonicalSearch(search: URLSearchParams): { text: string; query: Record<string, string[]> } {
  const query: Record<string, string[]> = {};
  for (const [name, value] of search) query[name] = [...(query[name] ?? []), value];
  const pairs = [...search].map(([k, v]) => `${encode(k)}=${encode(v)}`).sort();
  return { text: pairs.length > 0 ? `?${pairs.join('&')}` : '', query };
}

export interface SignedBedrockRequest {
  /** Path and query as sent upstream: exactly what was signed. */
  path: string;
  headers: Record<string, string>;
}

/**
 * Signs Bedrock requests with SigV4 (service `bedrock`, the configured region) for a base URL
 * (`https://bedrock-runtime.<region>.amazonaws.com`, or a gateway's). The sandbox's own
 * `authorization`, `x-api-key` and `x-amz-*` headers are dropped; the rest are signed as sent.
 */
export function createBedrockSigner(options: { region: string; keys: AwsKeys }) {
  const signer = new SignatureV4({
    service: 'bedrock',
    region: options.region,
    credentials: options.keys,
    sha256: NodeSha256,
    // As the AWS SDK signs Bedrock: the payload's hash is in the signature, not in a header.
    applyChecksum: false,
  });
  return async function sign(
    base: URL,
    request: { method: string; path: string; search: URLSearchParams; headers: IncomingHttpHeaders; body: Buffer },
  ): Promise<SignedBedrockRequest> {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) {
      if (value === undefined || DROPPED.test(name)) continue;
      headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    headers.host = base.host;
    if (request.body.length > 0 || !['GET', 'HEAD'].includes(request.method))
      headers['content-length'] = String(request.body.length);
    const basePath = base.pathname.replace(/\/+$/, '');
    const { text, query } = canonicalSearch(request.search);
    const signed = await signer.sign({
      method: request.method,
      protocol: base.protocol,
      hostname: base.hostname,
      ...(base.port ? { port: Number(base.port) } : {}),
      path: `${basePath}${request.path}`,
      query,
      headers,
      body: request.body,
    });
    return { path: `${basePath}${request.path}${text}`, headers: signed.headers };
  };
}

export type BedrockSigner = ReturnType<typeof createBedrockSigner>;
