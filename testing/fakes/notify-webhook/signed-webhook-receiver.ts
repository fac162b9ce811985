import { createServer } from 'node:http';
import type { Socket } from 'node:net';
import {
  DELIVERY_HEADER,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  verifyWebhookSignature,
} from '../../../adapters/notifiers/signed-webhook.notifier.js';

export interface ReceivedWebhook {
  verdict: 'ok' | 'missing' | 'stale' | 'mismatch';
  deliveryId?: string;
  event?: string;
  body: string;
}

export interface SignedWebhookReceiver {
  readonly url: string;
  /** Every delivery with the receiver's verdict on its signature. */
  readonly received: ReceivedWebhook[];
  /** Answer 503 to everything while true. */
  down: boolean;
  close(): Promise<void>;
}

/**
 * A receiver of the signed JSON webhook, doing what the README tells receivers to do: check
 * the timestamp is recent and the HMAC-SHA256 over `<timestamp>.<raw body>` matches, in
 * constant time. 204 when it verifies, 401 when it does not.
 */
export async function startSignedWebhookReceiver(secret: string, now: () => number = Date.now): Promise<SignedWebhookReceiver> {
  const sockets = new Set<Socket>();
  const received: ReceivedWebhook[] = [];
  const state = { down: false };
  const header = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (state.down) {
        res.writeHead(503).end('down');
        return;
      }
      const body = Buffer.concat(chunks).toString('utf8');
      const verdict = verifyWebhookSignature(
        secret,
        { timestamp: header(req.headers[TIMESTAMP_HEADER]), signature: header(req.headers[SIGNATURE_HEADER]) },
        body,
        now(),
      );
      const deliveryId = header(req.headers[DELIVERY_HEADER]);
      const event = header(req.headers['x-ai-implement-event']);
      received.push({ verdict, body, ...(deliveryId ? { deliveryId } : {}), ...(event ? { event } : {}) });
      res.writeHead(verdict === 'ok' ? 204 : 401).end();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/hooks/ai-implement`,
    received,
    get down() {
      return state.down;
    },
    set down(value) {
      state.down = value;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const socket of sockets) socket.destroy();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
