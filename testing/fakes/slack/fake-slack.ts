import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { checkSlackPayload } from './slack-blocks.js';

/** The path part of a Slack incoming webhook URL (`/services/T…/B…/<token>`): the token is the credential. */
export const FAKE_SLACK_HOOK_PATH = '/services/T0000FAKE/B0000FAKE/fakeHookToken0123456789';

export interface SlackDelivery {
  at: number;
  payload: Record<string, unknown>;
}

/**
 * How the fake answers: `ok` as Slack does (200 `ok`, text/plain); `down` 500 `internal_error`
 * (a Slack incident); `hang` never answers (a receiver that stalls); `refuse` closes the socket
 * without answering; `limited` 429 `rate_limited` with `Retry-After: retryAfterSeconds` (Slack
 * allows about one message a second per webhook).
 */
export type FakeSlackMode = 'ok' | 'down' | 'hang' | 'refuse' | 'limited';

export interface FakeSlack {
  /** The full webhook URL (loopback http). */
  readonly url: string;
  /** Accepted messages, oldest first. */
  readonly messages: SlackDelivery[];
  /** Every request, accepted or not, with what was answered. */
  readonly requests: { at: number; status: number; answer: string }[];
  mode: FakeSlackMode;
  /** The Retry-After of `limited` (30 s unless set). */
  retryAfterSeconds: number;
  close(): Promise<void>;
}

function reply(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers });
  res.end(text);
}

/**
 * A Slack incoming webhook on loopback, answering what Slack answers: 200 `ok` for a payload it
 * takes; 400 `invalid_payload`, `no_text` or `invalid_blocks` for one it refuses (checked
 * against Slack's documented payload shape, slack-blocks.ts); 404 `no_service` for a wrong
 * path; 405 for another method.
 */
export async function startFakeSlack(options: { mode?: FakeSlackMode } = {}): Promise<FakeSlack> {
  const sockets = new Set<Socket>();
  const state: { mode: FakeSlackMode; retryAfterSeconds: number } = { mode: options.mode ?? 'ok', retryAfterSeconds: 30 };
  const messages: SlackDelivery[] = [];
  const requests: FakeSlack['requests'] = [];
  const answer = (res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}) => {
    requests.push({ at: Date.now(), status, answer: text });
    reply(res, status, text, headers);
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (state.mode === 'hang') return;
      if (state.mode === 'refuse') {
        req.socket.destroy();
        return;
      }
      if (req.url !== FAKE_SLACK_HOOK_PATH) return answer(res, 404, 'no_service');
      if (req.method !== 'POST') return answer(res, 405, 'invalid_method');
      if (state.mode === 'down') return answer(res, 500, 'internal_error');
      if (state.mode === 'limited') return answer(res, 429, 'rate_limited', { 'retry-after': String(state.retryAfterSeconds) });
      if (!(req.headers['content-type'] ?? '').startsWith('application/json')) return answer(res, 400, 'invalid_payload');
      let payload: unknown;
      try {
        payload = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return answer(res, 400, 'invalid_payload');
      }
      const problem = checkSlackPayload(payload);
      if (problem) return answer(res, 400, problem.error);
      messages.push({ at: Date.now(), payload: payload as Record<string, unknown> });
      answer(res, 200, 'ok');
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}${FAKE_SLACK_HOOK_PATH}`,
    messages,
    requests,
    get mode() {
      return state.mode;
    },
    set mode(mode) {
      state.mode = mode;
    },
    get retryAfterSeconds() {
      return state.retryAfterSeconds;
    },
    set retryAfterSeconds(seconds) {
      state.retryAfterSeconds = seconds;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const socket of sockets) socket.destroy();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
