/**
 * The baseline for /runner/progress: a bare h3 app on the same server (srvx, via h3's serve)
 * that reads a JSON body and answers JSON, with no auth and no storage.
 *
 * Plain JavaScript, so it starts as the compiled orchestrator does: no TypeScript loader.
 *
 *   PORT=4100 node bench/storage/bare-h3.mjs
 */
import { H3, readBody, serve } from 'h3';

const app = new H3();
app.get('/healthz', () => ({ status: 'ok' }));
app.post('/bare', async (event) => {
  const body = await readBody(event);
  return { ok: true, instructions: [], step: body?.step?.id ?? null };
});

const server = serve(app, {
  port: Number(process.env.PORT ?? 4100),
  hostname: '127.0.0.1',
  silent: true,
  gracefulShutdown: false,
  maxRequestBodySize: 1024 * 1024,
});
await server.ready();
process.on('SIGTERM', () => {
  void server.close(true).then(() => process.exit(0));
});
