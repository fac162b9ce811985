import { execFile } from 'node:child_process';

/** The container CLIs the local runner can use, in order of preference. */
export const CONTAINER_CLIS = ['docker', 'podman'] as const;

/**
 * The first container CLI that is present AND usable: `<cli> info` must succeed within the
 * timeout, which needs a reachable daemon (docker) or a working rootless setup (podman). A CLI
 * installed without its daemon is not usable, and the local runner falls back to a process.
 */
export async function detectContainerCli(
  candidates: readonly string[] = CONTAINER_CLIS,
  options: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<string | undefined> {
  for (const cli of candidates) {
    if (await succeeds(cli, ['info'], options.timeoutMs ?? 5_000, options.env)) return cli;
  }
  return undefined;
}

function succeeds(file: string, args: string[], timeoutMs: number, env: NodeJS.ProcessEnv | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: timeoutMs, env: env ?? process.env, windowsHide: true }, (error) => resolve(!error));
  });
}

export interface ContainerSpec {
  cli: string;
  /** The session image (the Dockerfile's): git, bubblewrap, the agent CLI and the session bundle. */
  image: string;
  /** The session inside the image; the local runner's own command when unset. */
  command?: readonly string[];
  /** Extra `run` flags, e.g. `--network host` so the session reaches a loopback PUBLIC_URL. */
  extraArgs?: readonly string[];
}

/** Where a session container keeps its workspace: a volume of its own, removed with the container. */
export const CONTAINER_WORKSPACE = '/workspace';

/**
 * `<cli> run` for one session. Variables are passed as `-e NAME` without a value, so the CLI
 * takes each from its own environment and no token ever appears on a command line (`ps`).
 * Nothing of this machine is mounted — not the orchestrator's checkout, not DATA_DIR: the only
 * mount is the session's workspace, an anonymous volume that `--rm` deletes with the container.
 */
export function containerRunArgs(
  spec: ContainerSpec,
  session: { name: string; jobId: string; cpus?: number; memoryMb?: number },
  envKeys: readonly string[],
  command: readonly string[],
): string[] {
  const args = ['run', '--rm', '--name', session.name, '--label', `ai-implement.job_id=${session.jobId}`];
  if (session.cpus) args.push('--cpus', String(session.cpus));
  if (session.memoryMb) args.push('--memory', `${session.memoryMb}m`);
  args.push('--mount', `type=volume,destination=${CONTAINER_WORKSPACE}`, ...(spec.extraArgs ?? []));
  for (const key of envKeys) args.push('-e', key);
  args.push(spec.image, ...command);
  return args;
}
