/**
 * How long an operator's read that reaches an outside service (Fly, GitHub) may take before it
 * answers with what it has: the admin must answer a hung service promptly, not after the
 * retries (4 × 15 s) a run's own calls are given. A late answer is not cancelled; it is just not
 * waited for.
 */
export const OPERATOR_CALL_DEADLINE_MS = 10_000;

/** "10 s", "250 ms": how a deadline reads in an error. */
export const formatDeadline = (ms: number) => (ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`);

/** `work`'s answer, or `late()`'s after `ms` when it has not answered by then (a timer that holds no process open). */
export async function answerWithin<T, L>(work: Promise<T>, ms: number, late: () => L): Promise<T | L> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<{ late: true }>((resolve) => {
    timer = setTimeout(() => resolve({ late: true }), Math.max(0, ms));
    timer.unref?.();
  });
  try {
    const first = await Promise.race([work.then((value) => ({ value })), deadline]);
    return 'late' in first ? late() : first.value;
  } finally {
    clearTimeout(timer);
  }
}
