import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';
import { type RunningServer, startServer } from '../../hosts/cli/main.js';
import { heldShadowRunner } from '../hosts/capturing-runner.js';

/** Debian's chromium (never a downloaded browser): the test tools script installs it. */
export const CHROMIUM = '/usr/bin/chromium';

/** What this machine's closed network and a root user need (STACK.md). */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export interface BrowserWorld {
  server: RunningServer;
  /** An admin bearer token, for arranging state through the API. */
  token: string;
  context: BrowserContext;
  close(): Promise<void>;
}

/**
 * The real server in-process (a shadow runner holding its jobs in flight, memory storage, no background polling), an admin
 * token for it, and Debian's chromium on a fresh profile. Fails naming chromium when it is missing.
 */
export async function startBrowserWorld(
  accessCode: string,
  viewport?: { width: number; height: number },
  env: Record<string, string> = {},
  /** Registrations to replace (default: a shadow runner holding its jobs in flight). */
  overrides: Parameters<typeof startServer>[2] = heldShadowRunner(),
): Promise<BrowserWorld> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `chromium not found at ${CHROMIUM}: install Debian's chromium (apt-get install -y --no-install-recommends chromium)`,
    );
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'ai-implement-browser-data-'));
  const profileDir = mkdtempSync(join(tmpdir(), 'ai-implement-browser-profile-'));
  const server = await startServer(
    {
      PORT: '0',
      HOST: '127.0.0.1',
      ADMIN_ACCESS_CODE: accessCode,
      RUNNER_MODE: 'shadow',
      STORAGE_URL: 'memory:',
      DATA_DIR: dataDir,
      POLL_INTERVAL_MS: '86400000', // only an explicit refresh runs a cycle
      ...env,
    },
    { out: () => undefined, err: () => undefined },
    // Shadow jobs held in flight, so that the panels have running work, caps and blockers to show.
    overrides,
  );
  if (!server) throw new Error('the server did not start');
  const auth = await fetch(`${server.url}/api/auth`, { method: 'POST', body: JSON.stringify({ code: accessCode }) });
  const { token } = (await auth.json()) as { token: string };
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    ...(viewport ? { viewport } : {}),
  });
  return {
    server,
    token,
    context,
    async close() {
      await context.close().catch(() => undefined);
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
      rmSync(profileDir, { recursive: true, force: true });
    },
  };
}
