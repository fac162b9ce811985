import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The /admin page's static files: `index.html` and everything under `assets/` beside this
 * module, read once and served from memory. Only files in that table are ever served, so a
 * request path cannot reach anything else on disk; a file type not listed below is not served.
 */

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/**
 * No inline script or style, nothing from another origin, no framing, forms post only here.
 * The page builds every element with the DOM API and styles only through admin.css.
 */
export const ADMIN_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': ADMIN_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  // Revalidated on every load (ETag), so a new version of the page is never mixed with an old module.
  'cache-control': 'no-cache',
};

/** The HTML pages beside assets/ that exist in a directory (the admin's; the docs page has index.html only). */
const PAGE_NAMES = ['index.html', 'local-forge-pull.html'];

interface Asset {
  body: Uint8Array;
  contentType: string;
  etag: string;
}

export interface AdminAssets {
  /** The response for `index.html` or `assets/<path>`, or undefined when there is no such file. */
  respond(path: string, ifNoneMatch: string | null): Promise<Response | undefined>;
}

const ADMIN_DIR = fileURLToPath(new URL('./', import.meta.url));

export function createAdminAssets(dir: string = ADMIN_DIR): AdminAssets {
  let table: Promise<Map<string, Asset>> | undefined;

  async function load(): Promise<Map<string, Asset>> {
    const files = new Map<string, Asset>();
    const pages = (await readdir(dir)).filter((n) => PAGE_NAMES.includes(n));
    const names = [...pages, ...(await readdir(join(dir, 'assets'), { recursive: true })).map((n) => join('assets', n))];
    for (const name of names) {
      const contentType = CONTENT_TYPES[extname(name)];
      if (!contentType) continue;
      const body = new Uint8Array(await readFile(join(dir, name)));
      const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
      files.set(relative(dir, join(dir, name)).split(sep).join('/'), { body, contentType, etag });
    }
    return files;
  }

  return {
    async respond(path, ifNoneMatch) {
      table ??= load().catch((error: unknown) => {
        table = undefined; // a failed read is retried on the next request
        throw error;
      });
      const asset = (await table).get(path);
      if (!asset) return undefined;
      const headers = { ...SECURITY_HEADERS, etag: asset.etag };
      if (ifNoneMatch === asset.etag) return new Response(null, { status: 304, headers });
      return new Response(asset.body, { status: 200, headers: { ...headers, 'content-type': asset.contentType } });
    },
  };
}
