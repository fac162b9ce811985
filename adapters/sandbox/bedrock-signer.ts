import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import type { BedrockAuthorizer } from './bedrock-request.js';

/** The AWS keys that sign Bedrock requests: they stay in the session. */
export interface AwsKeys {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

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
 * Signs each Bedrock call with SigV4 (service `bedrock`, the configured region), every header
 * it carries included: the headers it answers are the ones to send, with `authorization`,
 * `x-amz-date` and, for temporary keys, `x-amz-security-token` added. Loaded only by a session
 * with Bedrock keys (`model-key-proxy.ts`): it and the @smithy modules under it take ~0.1 s.
 */
export function createBedrockSigner(options: { region: string; keys: AwsKeys }): BedrockAuthorizer {
  const signer = new SignatureV4({
    service: 'bedrock',
    region: options.region,
    credentials: options.keys,
    sha256: NodeSha256,
    // As the AWS SDK signs Bedrock: the payload's hash is in the signature, not in a header.
    applyChecksum: false,
  });
  return async (base, call) => {
    const signed = await signer.sign({
      method: call.method,
      protocol: base.protocol,
      hostname: base.hostname,
      ...(base.port ? { port: Number(base.port) } : {}),
      path: call.path,
      query: call.query,
      headers: call.headers,
      body: call.body,
    });
    return signed.headers;
  };
}
