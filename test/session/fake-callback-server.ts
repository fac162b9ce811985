import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedCall {
  method: string;
  path: string;
  authorization?: string;
  body: unknown;
  status: number;
}

export interface FakeCallbackOptions {
  resultToken?: string;
  progressToken?: string;
  nonce?: string;
  /** What GET /runner/planning-context answers. */
  context?: { issue: { id: string; identifier: string; title: string; description: string; url: string }; plan: string | null };
  /** Answer the first N result calls with 500 before accepting one. */
  resultFailures?: number;
  /** Instructions for the answer to the Nth progress call (1-based). */
  instructionsAt?: Record<number, unknown[]>;
  /** POST /api/token answer (default: 200 with a token). */
  token?: { status: number; body: unknown };
  /** The first this many POST /api/token get `500 Failed to generate token` with `Retry-After: tokenRetryAfter`. */
  tokenHeldBack?: number;
  tokenRetryAfter?: string;
}

export interface FakeCallbackServer {
  url: string;
  calls: RecordedCall[];
  /** Calls to one path, in order. */
  to(path: string): RecordedCall[];
  /** The status events posted, in order. */
  events(): string[];
  close(): Promise<void>;
}

const json = (body: unknown) => JSON.stringify(body);

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * A stand-in for the orchestrator's callback endpoints, recording every call. It checks
 * credentials as the real one does (bearer token per audience, nonce in the body) and
 * consumes the result token once: a second result gets `409 already_consumed`.
 */
export async function startFakeCallbackServer(options: FakeCallbackOptions = {}): Promise<FakeCallbackServer> {
  const resultToken = options.resultToken ?? 'result-token-abcdef';
  const progressToken = options.progressToken ?? 'progress-token-abcdef';
  const nonce = options.nonce ?? 'nonce-abcdef123456';
  const calls: RecordedCall[] = [];
  let resultFailures = options.resultFailures ?? 0;
  let consumed = false;
  let progressCount = 0;
  let tokenHeldBack = options.tokenHeldBack ?? 0;

  const server: Server = createServer(async (req, res) => {
    const body = await readBody(req);
    const path = (req.url ?? '').split('?')[0] ?? '';
    const auth = req.headers.authorization;
    const answer = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      calls.push({ method: req.method ?? '', path, ...(auth ? { authorization: auth } : {}), body, status });
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(json(payload));
    };
    const fields = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
    switch (`${req.method} ${path}`) {
      case 'POST /runner/progress':
        if (auth !== `Bearer ${progressToken}`) return answer(401, { error: 'bad_signature' });
        progressCount++;
        return answer(200, { ok: true, instructions: options.instructionsAt?.[progressCount] ?? [] });
      case 'GET /runner/planning-context':
        if (auth !== `Bearer ${progressToken}`) return answer(401, { error: 'bad_signature' });
        return answer(200, {
          jobId: 'job-1',
          phase: 'implementation',
          ...(options.context ?? {
            issue: {
              id: 'i-1',
              identifier: 'ENG-1',
              title: 'Add a change file',
              description: 'Write AGENT_CHANGE.md.',
              url: 'http://127.0.0.1/issues/ENG-1',
            },
            plan: null,
          }),
        });
      case 'POST /runner/result':
        if (auth !== `Bearer ${resultToken}`) return answer(401, { error: 'bad_signature' });
        if (resultFailures > 0) {
          resultFailures--;
          return answer(500, { error: 'Internal server error' });
        }
        if (consumed) return answer(409, { error: 'already_consumed' });
        consumed = true;
        return answer(200, { ok: true, jobId: 'job-1', status: 'completed' });
      case 'POST /api/status':
      case 'POST /api/step-report':
        if (fields.nonce !== nonce) return answer(403, { error: 'Invalid or expired nonce' });
        return answer(200, { ok: true });
      case 'POST /api/token':
        if (fields.nonce !== nonce) return answer(403, { error: 'Invalid or expired nonce' });
        if (tokenHeldBack > 0) {
          tokenHeldBack--;
          return answer(500, { error: 'Failed to generate token' }, { 'retry-after': options.tokenRetryAfter ?? '60' });
        }
        if (options.token) return answer(options.token.status, options.token.body);
        return answer(200, { token: 'ghs_repo_token_1234567890', expiresAt: new Date(Date.now() + 3600_000).toISOString() });
      default:
        return answer(404, { error: 'not found' });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    to: (p) => calls.filter((c) => c.path === p),
    events: () => calls.filter((c) => c.path === '/api/status').map((c) => (c.body as { event: string }).event),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
