import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ADMIN_CSP, createAdminAssets } from '../../hosts/admin/admin-assets.js';

/** The admin page's files as served, and the rules its browser modules keep. */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ASSETS = join(ROOT, 'hosts/admin/assets');
const modules = readdirSync(ASSETS, { recursive: true })
  .map(String)
  .filter((name) => name.endsWith('.js'));

describe('admin assets', () => {
  const assets = createAdminAssets();

  it('serves index.html and modules with their content type, the CSP and an ETag; 304 when unchanged', async () => {
    const page = await assets.respond('index.html', null);
    expect(page?.status).toBe(200);
    expect(page?.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page?.headers.get('content-security-policy')).toBe(ADMIN_CSP);
    expect(page?.headers.get('x-content-type-options')).toBe('nosniff');
    const etag = page?.headers.get('etag') ?? '';
    expect(etag).toMatch(/^"[\w-]{22}"$/);
    expect((await assets.respond('index.html', etag))?.status).toBe(304);

    const module = await assets.respond('assets/panels/projects.js', null);
    expect(module?.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await module?.text()).toContain('export async function render');
  });

  it('serves nothing outside index.html and assets/, nor a file type it does not know', async () => {
    for (const path of [
      'admin-assets.ts',
      'tsconfig.json',
      'assets/../admin-assets.ts',
      '../../package.json',
      'assets/missing.js',
      '',
    ]) {
      expect(await assets.respond(path, null), path).toBeUndefined();
    }
  });

  it('CSP: no inline script or style, nothing from another origin, no framing', () => {
    expect(ADMIN_CSP).toContain("default-src 'none'");
    expect(ADMIN_CSP).toContain("script-src 'self'");
    expect(ADMIN_CSP).toContain("frame-ancestors 'none'");
    expect(ADMIN_CSP).not.toMatch(/unsafe-(inline|eval)|\*|https?:/);
  });

  it('no module writes markup: data reaches the page only as text nodes and attribute values', () => {
    expect(modules.length).toBeGreaterThan(10);
    for (const name of modules) {
      const source = readFileSync(join(ASSETS, name), 'utf8');
      expect(source, name).not.toMatch(/\.innerHTML|\.outerHTML\s*=|insertAdjacentHTML|document\.write|\beval\(|new Function\(/);
      expect(source, name).not.toMatch(/setAttribute\(\s*['"](style|on\w+)['"]/);
    }
    expect(readFileSync(join(ROOT, 'hosts/admin/index.html'), 'utf8')).not.toMatch(/<script(?![^>]*\bsrc=)|\son\w+=|style=/);
  });

  it('the browser modules type-check against their JSDoc types (tsc -p hosts/admin/tsconfig.json)', async () => {
    const tsc = join(ROOT, 'node_modules/.bin/tsc');
    const run = await promisify(execFile)(tsc, ['-p', join(ROOT, 'hosts/admin/tsconfig.json')]).then(
      () => ({ code: 0, out: '' }),
      (error: { code?: number; stdout?: string }) => ({ code: error.code ?? 1, out: error.stdout ?? '' }),
    );
    expect(run.out).toBe('');
    expect(run.code).toBe(0);
  });
});
