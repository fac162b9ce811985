import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ADMIN_CSP } from '../../../hosts/admin/admin-assets.js';
import { classifyPath } from '../../../hosts/http/admin-guard.js';
import { type Harness, jsonOf, startHarness } from '../harness.js';

describe('GET /api/docs (the API explorer)', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(() => h.close());

  it('serves the page without a bearer token, as HTML under the strict CSP, with no inline script', async () => {
    const res = await h.call('GET', '/api/docs');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toBe(ADMIN_CSP);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await res.text();
    expect(html).toContain('<script type="module" src="/api/docs/assets/docs.js"></script>');
    // Every <script> has a src: the CSP (script-src 'self') would block an inline one.
    expect([...html.matchAll(/<script\b[^>]*>/g)].every((m) => /\bsrc="/.test(m[0]))).toBe(true);
    expect(html).not.toMatch(/\sstyle="|\son\w+="/);
  });

  it('serves every file the page references, with its type, and nothing from another origin', async () => {
    const html = await (await h.call('GET', '/api/docs')).text();
    const refs = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] as string);
    expect(refs.every((r) => r.startsWith('/'))).toBe(true);
    const assets = refs.filter((r) => r.startsWith('/api/docs/assets/'));
    expect(assets.sort()).toEqual(['/api/docs/assets/docs.css', '/api/docs/assets/docs.js']);
    const js = await h.call('GET', '/api/docs/assets/docs.js');
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('content-security-policy')).toBe(ADMIN_CSP);
    const css = await h.call('GET', '/api/docs/assets/docs.css');
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    // The module's own imports are same-origin files that exist: the admin page's token store.
    const source = await js.text();
    const imports = [...source.matchAll(/^import .* from '([^']+)';$/gm)].map((m) => m[1] as string);
    expect(imports).toEqual(['/admin/assets/api.js']);
    const api = await h.call('GET', '/admin/assets/api.js');
    expect(api.status).toBe(200);
    expect(await api.text()).toMatch(/export const token = \{/);
    expect(source).toContain("'/api/v1/openapi.json'");
  });

  it('revalidates by ETag like the admin page', async () => {
    const first = await h.call('GET', '/api/docs/assets/docs.js');
    const etag = first.headers.get('etag');
    expect(etag).toBeTruthy();
    const again = await h.call('GET', '/api/docs/assets/docs.js', { headers: { 'if-none-match': etag ?? '' } });
    expect(again.status).toBe(304);
  });

  it('lets only the page and its assets past the guard: the document and other /api/docs paths need the bearer', async () => {
    const doc = await h.call('GET', '/api/v1/openapi.json');
    expect(doc.status).toBe(401);
    expect(await jsonOf(doc)).toEqual({ error: 'Unauthorized' });
    for (const path of ['/api/docs/other', '/api/docsx', '/api/docs-assets/docs.js']) {
      const res = await h.call('GET', path);
      expect(res.status, path).toBe(401);
    }
    expect(classifyPath('/api/docs')).toBe('adminPage');
    expect(classifyPath('/api/docs/')).toBe('adminPage');
    expect(classifyPath('/api/docs/assets/docs.js')).toBe('adminPage');
    expect(classifyPath('/api/docs/other')).toBe('adminApi');
  });

  it('serves nothing but its own files from the assets path', async () => {
    for (const path of [
      '/api/docs/assets/nope.js',
      '/api/docs/assets/..%2F..%2Fv1%2Fstate',
      '/api/docs/assets/%2e%2e/%2e%2e/v1/state',
      '/api/docs/assets/../index.html',
    ]) {
      const res = await h.call('GET', path);
      expect([401, 404], path).toContain(res.status);
      expect(res.headers.get('content-type') ?? '', path).toMatch(/^application\/json/);
      expect(await res.text(), path).not.toContain('generatedAt');
    }
  });

  it('does not serve its tsconfig or the route module beside it', async () => {
    for (const path of ['/api/docs/tsconfig.json', '/api/docs/assets/../tsconfig.json', '/api/docs/assets/tsconfig.json']) {
      expect([401, 404], path).toContain((await h.call('GET', path)).status);
    }
  });

  it('answers the document to the admin token', async () => {
    const token = await h.login();
    const res = await h.call('GET', '/api/v1/openapi.json', { token });
    expect(res.status).toBe(200);
    expect((await jsonOf(res)).openapi).toBe('3.0.3');
  });
});

describe('with the admin disabled (ADMIN_ACCESS_CODE unset)', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness('memory', {});
  });
  afterEach(() => h.close());

  it('neither the explorer nor the document exists', async () => {
    for (const path of ['/api/docs', '/api/docs/assets/docs.js', '/api/v1/openapi.json']) {
      const res = await h.call('GET', path);
      expect(res.status, path).toBe(404);
      expect(await jsonOf(res), path).toEqual({ error: 'Not found' });
    }
  });
});

describe('the explorer module', () => {
  it('type-checks against its JSDoc types and the admin page’s token store (tsc -p docs-page/tsconfig.json)', async () => {
    const root = fileURLToPath(new URL('../../../', import.meta.url));
    const run = await promisify(execFile)(`${root}node_modules/.bin/tsc`, [
      '-p',
      `${root}hosts/http/openapi/docs-page/tsconfig.json`,
    ]).then(
      () => ({ code: 0, out: '' }),
      (error: { code?: number; stdout?: string }) => ({ code: error.code ?? 1, out: error.stdout ?? '' }),
    );
    expect(run.out).toBe('');
    expect(run.code).toBe(0);
  });
});
