import { createHash, createHmac } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/**
 * AWS Signature Version 4, checked as AWS checks it: the canonical request rebuilt from what
 * arrived, signed again with the secret the access key names, compared with what was sent.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
 */
export interface SignedRequest {
  method: string;
  /** Path and query exactly as sent. */
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export type SigV4Check =
  | { ok: true; accessKeyId: string; region: string; service: string }
  | { ok: false; status: number; type: string; message: string };

const SCOPE =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/;

const sha256 = (data: string) => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();
const encode = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

function canonicalQuery(search: string): string {
  const pairs = [...new URLSearchParams(search)].map(([k, v]) => [encode(k), encode(v)] as const);
  pairs.sort(([a, x], [b, y]) => (a === b ? (x < y ? -1 : 1) : a < b ? -1 : 1));
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

/** Non-S3 services sign each path segment URI-encoded twice (once as sent, once more by the signer). */
function canonicalPath(pathname: string): string {
  return pathname
    .split('/')
    .map((segment) => encode(encode(decodeURIComponent(segment))))
    .join('/');
}

export function checkSigV4(request: SignedRequest, secretFor: (accessKeyId: string) => string | undefined): SigV4Check {
  const authorization = String(request.headers.authorization ?? '');
  if (!authorization)
    return { ok: false, status: 403, type: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' };
  const match = SCOPE.exec(authorization);
  if (!match) {
    return {
      ok: false,
      status: 400,
      type: 'IncompleteSignatureException',
      message: 'Authorization header requires a valid Credential, SignedHeaders and Signature.',
    };
  }
  const [, accessKeyId = '', date = '', region = '', service = '', signedHeaders = '', signature = ''] = match;
  const secret = secretFor(accessKeyId);
  if (secret === undefined) {
    return {
      ok: false,
      status: 403,
      type: 'UnrecognizedClientException',
      message: 'The security token included in the request is invalid.',
    };
  }
  const amzDate = String(request.headers['x-amz-date'] ?? '');
  const url = new URL(request.url, 'http://host');
  const headerLines = signedHeaders
    .split(';')
    .map(
      (name) =>
        `${name}:${String(request.headers[name] ?? '')
          .trim()
          .replace(/\s+/g, ' ')}\n`,
    )
    .join('');
  const payloadHash = String(request.headers['x-amz-content-sha256'] ?? sha256(request.body));
  const canonical = [
    request.method,
    canonicalPath(url.pathname),
    canonicalQuery(url.search),
    headerLines,
    signedHeaders,
    payloadHash,
  ].join('\n');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), 'aws4_request');
  const expected = createHmac('sha256', key).update(toSign).digest('hex');
  if (expected !== signature || !amzDate.startsWith(date)) {
    return {
      ok: false,
      status: 403,
      type: 'InvalidSignatureException',
      message:
        'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
    };
  }
  return { ok: true, accessKeyId, region, service };
}
