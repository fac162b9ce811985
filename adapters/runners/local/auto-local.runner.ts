import { okAsync, ResultAsync } from 'neverthrow';
import { detectContainerCli } from './container-cli.js';
import { createLocalRunner, type LocalRunner, type LocalRunnerOptions, observeLocalSession } from './local.runner.js';

/** An image with Node 20, into which the orchestrator's checkout is mounted read-only. */
export const DEFAULT_LOCAL_SESSION_IMAGE = 'node:20-bookworm-slim';

export interface AutoLocalRunnerOptions extends Omit<LocalRunnerOptions, 'container'> {
  /** Finds a usable container CLI; `detectContainerCli` unless told. */
  detect?: () => Promise<string | undefined>;
  image?: string;
  /** `--network host` unless told, so a session reaches a loopback PUBLIC_URL. */
  extraArgs?: readonly string[];
}

/**
 * The local runner that picks its mode on first use: in a container when `docker` or `podman`
 * is present and usable, as a plain child process otherwise. Detection runs once, at the first
 * launch, so building an orchestrator never spawns a CLI.
 */
export function createAutoLocalRunner(options: AutoLocalRunnerOptions = {}): LocalRunner {
  const detect = options.detect ?? (() => detectContainerCli());
  let inner: LocalRunner | undefined;
  let ready: Promise<LocalRunner> | undefined;
  const get = () => {
    ready ??= detect()
      .catch(() => undefined)
      .then((cli) => {
        inner = createLocalRunner({
          ...options,
          ...(cli
            ? {
                container: {
                  cli,
                  image: options.image ?? DEFAULT_LOCAL_SESSION_IMAGE,
                  extraArgs: options.extraArgs ?? ['--network', 'host'],
                },
              }
            : {}),
        });
        return inner;
      });
    return ready;
  };
  return {
    kind: 'local',
    get mode() {
      return inner?.mode ?? 'process';
    },
    launch: (run) => ResultAsync.fromSafePromise(get()).andThen((runner) => runner.launch(run)),
    listSessions: () => (inner ? inner.listSessions() : okAsync([])),
    destroy: (id) => (inner ? inner.destroy(id) : okAsync(undefined)),
    // Before the first launch no session exists: a job of an earlier process is gone or timed out.
    observe: (job, context) =>
      inner ? inner.observe(job, context) : okAsync(observeLocalSession(job, context, undefined, () => undefined)),
    outputTail: (id) => inner?.outputTail(id),
    close: async () => {
      if (ready) await (await ready).close();
    },
  };
}
