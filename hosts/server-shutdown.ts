import type { Core } from './composition/create-core.js';

/**
 * How long in-flight requests and the background work already running (a dispatch, a delivery
 * round waiting on a hung service) may take to finish once a shutdown begins, together: inside
 * the 10 s a container runtime gives between SIGTERM and SIGKILL.
 */
export const DRAIN_TIMEOUT_MS = 10_000;

/** The part of an srvx server a shutdown needs: `close(false)` waits for requests, `close(true)` cuts them. */
export interface ClosableServer {
  close(closeActiveConnections?: boolean): Promise<void>;
}

export interface ShutdownOptions {
  drainMs?: number;
  log?: (message: string) => void;
}

/**
 * The server's shutdown, in order: no new work starts (reconcile cycles, the run watcher and the
 * reaper stop at once and release their leases; readiness turns 503), the listener stops taking
 * connections while requests in flight finish — for up to `drainMs`, after which the rest are
 * cut — then the running background work is awaited for what is left of `drainMs`, and the
 * container (storage) closed.
 */
export async function shutdownServer(
  server: ClosableServer,
  orchestrator: Pick<Core, 'stop' | 'dispose'>,
  options: ShutdownOptions = {},
): Promise<void> {
  const drainMs = options.drainMs ?? DRAIN_TIMEOUT_MS;
  const began = Date.now();
  let workDone = false;
  const done = () => {
    workDone = true;
  };
  // Settles in its own time; never awaited past the deadline (dispose is).
  orchestrator.stop().then(done, done);
  let timer: NodeJS.Timeout | undefined;
  const drained = await Promise.race([
    server.close(false).then(() => true),
    new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), drainMs);
    }),
  ]);
  clearTimeout(timer);
  if (!drained) {
    options.log?.(`requests still in flight after ${drainMs / 1000} s; closing their connections`);
    await server.close(true);
  }
  const waitForWorkMs = Math.max(0, drainMs - (Date.now() - began));
  await orchestrator.dispose({ waitForWorkMs });
  if (!workDone)
    options.log?.(`background work still running after ${drainMs / 1000} s; storage closed (the next start takes it up)`);
}
