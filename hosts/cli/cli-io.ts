/** Where a command writes: plain lines, never a configured secret. */
export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

export const consoleIo: CliIo = { out: (l) => console.log(l), err: (l) => console.error(l) };
