import { okAsync, ResultAsync } from 'neverthrow';
import { detectContainerCli } from './container-cli.js';
import { createLocalRunner, type LocalRunner, type LocalRunnerOptions, observeLocalSession } from './local.runner.js';

/** The session image's name (the Dockerfile's, `docker build -t ai-implement:<version> .`); the host adds the version. */
export const SESSION_IMAGE_NAME = 'ai-implement';
/** The session inside that image: its bundle under plain node (the Dockerfile puts the package at /app). */
export const IMAGE_SESSION_COMMAND = ['node', '/app/dist/session/session.mjs'] as const;

export interface AutoLocalRunnerOptions extends Omit<LocalRunnerOptions, 'container'> {
  /** Finds a usable container CLI; `detectContainerCli` unless told. */
  detect?: () => Promise<string | undefined>;
  /** The session image, `ai-implement:<this package's version>` from the host; `ai-implement:latest` unless told. */
  image?: string;
  /**
   * Extra `run` flags; `--pull never` unless told (the image built on this machine, never one a
   * registry answers for that name); never `--network host` (the local runner refuses it).
   */
  extraArgs?: readonly string[];
  /**
   * Where sessions call back (PUBLIC_URL). A loopback one cannot be reached from a container on
   * its own network, so sessions then run as sandboxed processes instead.
   */
  callbackUrl?: string;
}

/**
 * The local runner that picks its mode on first use: in a container when `docker` or `podman`
 * is present and usable, as a plain child process otherwise. Detection runs once, at the first
 * launch, so building an orchestrator never spawns a CLI.
 */
export function createAutoLocalRunner(options: AutoLocalRunnerOptions = {}): LocalRunner {
  const detect =
    options.callbackUrl !== undefined && isLoopbackUrl(options.callbackUrl)
      ? async () => undefined
      : (options.detect ?? (() => detectContainerCli()));
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
                  image: options.image ?? `${SESSION_IMAGE_NAME}:latest`,
                  command: IMAGE_SESSION_COMMAND,
                  extraArgs: options.extraArgs ?? ['--pull', 'never'],
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

/** 127.0.0.0/8, ::1 or localhost: a URL only this machine's own network namespace reaches. */
export function isLoopbackUrl(url: string): boolean {
  try {
    const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
    return host === 'localhost' || host === '::1' || /^127\./.test(host);
  } catch {
    return false;
  }
}
