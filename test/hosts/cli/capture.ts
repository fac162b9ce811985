import type { CliIo } from '../../../hosts/cli/cli-io.js';

/** An io that keeps what a command printed. */
export function capture(): { io: CliIo; out: string[]; err: string[]; all: () => string } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: { out: (l) => out.push(l), err: (l) => err.push(l) },
    out,
    err,
    all: () => [...out, ...err].join('\n'),
  };
}
