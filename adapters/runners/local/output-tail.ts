/**
 * The last `limit` bytes of a stream of chunks (a session's stdout and stderr together), for
 * the log excerpt of a failed or timed-out run. Memory stays bounded however much is written.
 */
export interface OutputTail {
  push(chunk: Buffer): void;
  /** The kept bytes as UTF-8; a character cut at the front shows as U+FFFD. */
  text(): string;
  /** How many bytes were written in all, kept or not. */
  readonly total: number;
}

export function createOutputTail(limit: number): OutputTail {
  if (!(limit > 0)) throw new Error(`output tail limit must be positive, got ${limit}`);
  let chunks: Buffer[] = [];
  let kept = 0;
  let total = 0;
  return {
    push(chunk) {
      total += chunk.length;
      if (chunk.length >= limit) {
        chunks = [chunk.subarray(chunk.length - limit)];
        kept = limit;
        return;
      }
      chunks.push(chunk);
      kept += chunk.length;
      while (kept > limit) {
        const first = chunks[0]!;
        const excess = kept - limit;
        if (first.length <= excess) {
          chunks.shift();
          kept -= first.length;
        } else {
          chunks[0] = first.subarray(excess);
          kept -= excess;
        }
      }
    },
    text: () => Buffer.concat(chunks).toString('utf8'),
    get total() {
      return total;
    },
  };
}
