import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkSigV4 } from './sigv4.js';

/** One `FoundationModelSummary` as Bedrock answers it. */
export interface FakeFoundationModel {
  modelId: string;
  modelName: string;
  providerName: string;
  outputModalities?: string[];
  status?: 'ACTIVE' | 'LEGACY';
}

export interface FakeBedrockFault {
  status: number;
  /** AWS's error code, sent as `x-amzn-ErrorType` (e.g. `ThrottlingException`). */
  type: string;
  message: string;
  times?: number;
  /** The request is read and never answered (until the fake closes). */
  hang?: boolean;
}

export interface FakeBedrockRequest {
  path: string;
  query: Record<string, string>;
  accessKeyId?: string;
  region?: string;
  sessionToken?: string;
  status: number;
}

export interface FakeBedrock {
  url: string;
  requests: FakeBedrockRequest[];
  failNext(fault: FakeBedrockFault): void;
  close(): Promise<void>;
}

export interface FakeBedrockOptions {
  /** Access key id → secret access key: any other key is refused as AWS refuses it. */
  credentials: Record<string, string>;
  /** The foundation models of each region; a region not listed has none. */
  regions: Record<string, FakeFoundationModel[]>;
}

const MODALITIES = ['TEXT', 'IMAGE', 'EMBEDDING'];

/**
 * Bedrock's control plane (`GET /foundation-models`, ListFoundationModels) on loopback, for the
 * real AWS SDK to talk to through an endpoint override. It checks the SigV4 signature with the
 * secret of the access key (403 `UnrecognizedClientException` for an unknown key,
 * `InvalidSignatureException` for a wrong secret), answers the region named in the signature's
 * scope, filters by `byProvider` (case-insensitive) and `byOutputModality` (400
 * `ValidationException` for an unknown one), and sends errors as restJson1 does: the code in
 * `x-amzn-ErrorType`, `{ "message" }` in the body.
 */
export async function startFakeBedrock(options: FakeBedrockOptions): Promise<FakeBedrock> {
  const requests: FakeBedrockRequest[] = [];
  const faults: (FakeBedrockFault & { left: number })[] = [];
  const hung: ServerResponse[] = [];

  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString('utf8');
    });
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const record: FakeBedrockRequest = { path: url.pathname, query: Object.fromEntries(url.searchParams), status: 0 };
      requests.push(record);
      const reply = (status: number, payload: unknown, type?: string) => {
        record.status = status;
        res.writeHead(status, {
          'content-type': 'application/json',
          'x-amzn-requestid': `fake-${requests.length}`,
          ...(type ? { 'x-amzn-errortype': `${type}:http://internal.amazon.com/coral/com.amazon.bedrock/` } : {}),
        });
        res.end(JSON.stringify(payload));
      };
      const fail = (status: number, type: string, message: string) => reply(status, { message }, type);

      const auth = checkSigV4(
        { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body },
        (id) => options.credentials[id],
      );
      if (!auth.ok) return fail(auth.status, auth.type, auth.message);
      record.accessKeyId = auth.accessKeyId;
      record.region = auth.region;
      const token = req.headers['x-amz-security-token'];
      if (typeof token === 'string') record.sessionToken = token;
      if (auth.service !== 'bedrock')
        return fail(403, 'InvalidSignatureException', `Credential should be scoped to correct service: 'bedrock'.`);

      const fault = faults[0];
      if (fault) {
        fault.left -= 1;
        if (fault.left <= 0) faults.shift();
        if (fault.hang) {
          hung.push(res);
          return;
        }
        return fail(fault.status, fault.type, fault.message);
      }
      if (req.method !== 'GET' || url.pathname !== '/foundation-models') {
        return fail(404, 'UnknownOperationException', 'The requested operation is not recognized by the service.');
      }
      const modality = url.searchParams.get('byOutputModality');
      if (modality && !MODALITIES.includes(modality)) {
        return fail(
          400,
          'ValidationException',
          `1 validation error detected: Value '${modality}' at 'byOutputModality' failed to satisfy constraint: Member must satisfy enum value set: [TEXT, IMAGE, EMBEDDING]`,
        );
      }
      const provider = url.searchParams.get('byProvider')?.toLowerCase();
      const models = (options.regions[auth.region] ?? [])
        .filter((m) => !provider || m.providerName.toLowerCase() === provider)
        .filter((m) => !modality || (m.outputModalities ?? ['TEXT']).includes(modality));
      reply(200, {
        modelSummaries: models.map((m) => ({
          modelArn: `arn:aws:bedrock:${auth.region}::foundation-model/${m.modelId}`,
          modelId: m.modelId,
          modelName: m.modelName,
          providerName: m.providerName,
          inputModalities: ['TEXT'],
          outputModalities: m.outputModalities ?? ['TEXT'],
          responseStreamingSupported: true,
          customizationsSupported: [],
          inferenceTypesSupported: ['ON_DEMAND'],
          modelLifecycle: { status: m.status ?? 'ACTIVE' },
        })),
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    failNext: (fault) => void faults.push({ ...fault, left: fault.times ?? 1 }),
    close: () =>
      new Promise((resolve) => {
        for (const res of hung.splice(0)) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
