import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkSigV4 } from './sigv4.js';

export interface FakeRuntimeRequest {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The signature, checked as AWS checks it: its scope when it holds; or the Bedrock API key sent. */
  signature: { accessKeyId: string; region: string; service: string } | { bearer: string } | { refused: string };
}

export interface FakeBedrockRuntime {
  url: string;
  requests: FakeRuntimeRequest[];
  /** Sends the held stream's second event (`holdStreams`). */
  release(): void;
  close(): Promise<void>;
}

const MODEL_CALL = /^(?:\/[^/]+)*\/model\/([^/]+)\/(invoke|invoke-with-response-stream)$/;

/**
 * Bedrock's runtime on loopback (`POST /model/{id}/invoke`, `…/invoke-with-response-stream`),
 * under any base path. Every request's SigV4 signature is checked with the secret its access
 * key names (`sigv4.ts`, independent of the signer that made it): a wrong one is AWS's 403;
 * a Bearer authorization must be one of `apiKeys` (Bedrock API keys).
 * A stream answers its first event at once and, with `holdStreams`, the second only when
 * told, so a proxy that buffered the answer is caught.
 */
export async function startFakeBedrockRuntime(options: {
  credentials: Record<string, string>;
  /** Bedrock API keys (`Authorization: Bearer …`) it also takes. */
  apiKeys?: string[];
  holdStreams?: boolean;
}): Promise<FakeBedrockRuntime> {
  const requests: FakeRuntimeRequest[] = [];
  let held: (() => void)[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString('utf8');
    });
    req.on('end', () => {
      const path = new URL(req.url ?? '/', 'http://fake').pathname;
      const fail = (status: number, type: string, message: string) =>
        res.writeHead(status, { 'content-type': 'application/json', 'x-amzn-errortype': type }).end(JSON.stringify({ message }));
      const record = (signature: FakeRuntimeRequest['signature']) =>
        requests.push({ path, headers: req.headers, body, signature });
      const bearer = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
      if (bearer) {
        if (!options.apiKeys?.includes(bearer)) {
          record({ refused: 'UnrecognizedClientException' });
          return fail(403, 'UnrecognizedClientException', 'Invalid API Key format');
        }
        record({ bearer });
      } else {
        const check = checkSigV4(
          { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body },
          (id) => options.credentials[id],
        );
        if (!check.ok) {
          record({ refused: check.type });
          return fail(check.status, check.type, check.message);
        }
        record({ accessKeyId: check.accessKeyId, region: check.region, service: check.service });
      }
      const call = MODEL_CALL.exec(path);
      if (req.method !== 'POST' || !call)
        return fail(404, 'UnknownOperationException', 'The requested operation is not recognized by the service.');
      const model = decodeURIComponent(call[1] ?? '');
      if (call[2] === 'invoke') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ type: 'message', model }));
        return;
      }
      // Not AWS's binary framing: what matters here is that each event arrives when it is written.
      res.writeHead(200, { 'content-type': 'application/vnd.amazon.eventstream' });
      res.write(`event 1 of ${model}\n`);
      const second = () => res.end('event 2 message_stop\n');
      if (options.holdStreams) held.push(second);
      else second();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    release() {
      const waiting = held;
      held = [];
      for (const send of waiting) send();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
