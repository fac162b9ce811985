import { request } from 'node:http';
import { serve } from 'h3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './harness.js';

/** One request with its target sent exactly as written (fetch and curl would resolve `..` first). */
function rawRequest(base: string, method: string, target: string, token: string, body?: string) {
  return new Promise<{ status: number; body: unknown }>((resolve, reject) => {
    const { hostname, port } = new URL(base);
    const req = request({ hostname, port, method, path: target, headers: { authorization: `Bearer ${token}` } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as unknown }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('a request path with dot segments (the Node server)', () => {
  let h: Harness;
  let server: ReturnType<typeof serve>;
  let token: string;
  const mapping = { teamKey: 'ENG', owner: 'acme', repo: 'web', defaultBranch: 'main', ticketing: 'local' };
  const mappingExists = async () =>
    ((await (await h.call('GET', '/api/mappings', { token })).json()) as { mappings: { teamKey: string }[] }).mappings.some(
      (m) => m.teamKey === 'ENG',
    );

  beforeAll(async () => {
    h = await startHarness('memory');
    token = await h.login();
    server = serve(h.orchestrator.app, { port: 0, hostname: '127.0.0.1', silent: true, gracefulShutdown: false });
    await server.ready();
  });
  afterAll(async () => {
    await server.close(true);
    await h.close();
  });

  it.each([
    ['DELETE', '/api/mappings/ENG/secrets/%2e%2e'],
    ['DELETE', '/api/mappings/ENG/secrets/.%2E'],
    ['DELETE', '/api/mappings/ENG/secrets/%2E.'],
    ['DELETE', '/api/mappings/ENG/secrets/..'],
    ['DELETE', '/api/mappings/ENG/secrets\\..'],
    ['DELETE', '/api/mappings/ENG/./secrets/%2e%2e?x=1'],
    ['PATCH', '/api/mappings/ENG/secrets/%2e%2e'],
  ])('%s %s: 400 Bad request, and the mapping is still there', async (method, target) => {
    expect((await h.call('POST', '/api/mappings', { token, body: mapping })).status).toBe(200);
    const res = await rawRequest(server.url!, method, target, token, method === 'PATCH' ? '{"paused":true}' : undefined);
    expect(res).toEqual({ status: 400, body: { error: 'Bad request' } });
    expect(await mappingExists()).toBe(true);
  });

  it('dots inside a segment and in the query are left alone', async () => {
    expect((await rawRequest(server.url!, 'GET', '/api/v1/attempts/a..b', token)).body).toEqual({ error: 'Attempt not found' });
    expect((await rawRequest(server.url!, 'GET', '/api/v1/audit?limit=5&x=/../', token)).status).toBe(200);
  });
});
