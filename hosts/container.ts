import { asFunction } from 'awilix';
import type { H3 } from 'h3';
import type { OrchestratorCradle } from './composition/cradle.js';
import { buildCore, type Core, type CoreOverrides, settledWithin } from './composition/create-core.js';
import type { Config } from './config.js';
import { type AdminAuthService, createAdminAuthService } from './http/admin-auth.service.js';
import { createHttpApp } from './http/app.js';
import { type AuthThrottle, createAuthThrottle, throttleStoreFor } from './http/auth-throttle.js';
import { type TrustedProxies, trustedProxiesFrom } from './http/trusted-proxies.js';

/** Replacements for any registration, as awilix resolvers (`asValue(myStorage)`, `asFunction(…)`). */
export type OrchestratorOverrides = CoreOverrides;

/** The core's services plus what only the HTTP host has. */
export type HostCradle = OrchestratorCradle & {
  adminAuth: AdminAuthService;
  authThrottle: AuthThrottle;
  /** TRUST_PROXY: whose X-Forwarded-For names the client for the per-client limits. */
  trustedProxies: TrustedProxies;
};

/** The engine with its h3 app: what `ai-implement serve` runs. */
export interface Orchestrator extends Core {
  /** The h3 app serving the whole HTTP surface. */
  readonly app: H3;
  /** The whole HTTP surface as a fetch handler (for srvx, tests, or an embedding server). */
  fetch(request: Request): Promise<Response>;
  /** Socket-free request: `request('/healthz')`. */
  request(path: string, init?: RequestInit): Promise<Response>;
}

/** The bundled server's composition: the core (composition/create-core.ts) plus admin auth and the h3 app. */
export async function createOrchestrator(config: Config, overrides: OrchestratorOverrides = {}): Promise<Orchestrator> {
  const core = await buildCore(config, overrides, (container) => {
    container.register('adminAuth' as keyof OrchestratorCradle, asFunction(createAdminAuthService).singleton());
    container.register(
      'authThrottle' as keyof OrchestratorCradle,
      asFunction(({ config, logger, securityEvents }: OrchestratorCradle) =>
        createAuthThrottle({
          logger,
          store: throttleStoreFor(config),
          onLockout: (client) => securityEvents.signal({ kind: 'sign_in_lockout', source: client, route: 'POST /api/auth' }),
        }),
      )
        .singleton()
        .disposer((throttle) => (throttle as AuthThrottle).close()),
    );
    container.register(
      'trustedProxies' as keyof OrchestratorCradle,
      asFunction(({ config }: OrchestratorCradle) => trustedProxiesFrom(config.trustProxy)).singleton(),
    );
  });
  const http = createHttpApp(core.cradle as HostCradle);
  const { adminAuth } = core.cradle as HostCradle;
  let disposed: Promise<void> | undefined;
  return {
    ...core,
    // The access-code check adminAuth starts at boot touches the store: it ends before the store
    // closes (else a quick dispose logs its failure on the closed store), bounded as the work is.
    dispose: (options = {}) => {
      disposed ??= (async () => {
        // At once, as core.dispose would (it bounds the wait for it, and sees a failure of it).
        core.stop().catch(() => undefined);
        const began = Date.now();
        const { waitForWorkMs } = options;
        await settledWithin(adminAuth.settled(), waitForWorkMs);
        // One bound for both waits: what the check took comes off the work's.
        await core.dispose(
          waitForWorkMs === undefined ? {} : { waitForWorkMs: Math.max(0, waitForWorkMs - (Date.now() - began)) },
        );
      })();
      return disposed;
    },
    app: http,
    fetch: async (request) => http.fetch(request),
    request: async (path, init) => http.request(path, init),
  };
}
