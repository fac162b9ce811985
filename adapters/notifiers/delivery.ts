import type { DeliveryResult } from '../../ports/notifier.port.js';

/** A receiver that has not answered within this long is a failed (retryable) attempt. */
export const DEFAULT_NOTIFY_TIMEOUT_MS = 10_000;

/** Text from an outside failure, without any of `secrets` (a URL's token path, a password), capped. */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= 4) out = out.split(secret).join('[redacted]');
  return out.length > 500 ? `${out.slice(0, 500)}…` : out;
}

/** An HTTP answer as a delivery result: 2xx delivered; 408, 429 and 5xx worth another try. */
export function httpResult(status: number, body: string, secrets: readonly string[]): DeliveryResult {
  const said = scrub(body.trim().slice(0, 200), secrets);
  if (status >= 200 && status < 300) return { ok: true, status, detail: `HTTP ${status}${said ? ` ${said}` : ''}` };
  const retryable = status === 408 || status === 429 || status >= 500;
  return { ok: false, retryable, status, error: `HTTP ${status}${said ? `: ${said}` : ''}` };
}

/** A `Retry-After` header (seconds, or an HTTP date) in milliseconds; undefined when absent or unreadable. */
export function retryAfterOf(headers: Headers | undefined, now = Date.now()): number | undefined {
  const raw = headers?.get('retry-after')?.trim();
  if (!raw) return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(raw);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** `result` with the receiver's Retry-After, when it failed and said one. */
export function withRetryAfter(result: DeliveryResult, headers: Headers | undefined): DeliveryResult {
  const retryAfterMs = result.ok ? undefined : retryAfterOf(headers);
  return retryAfterMs === undefined || result.ok ? result : { ...result, retryAfterMs };
}

/** A failure without an answer (refused, reset, timed out): always worth another try. */
export function transportFailure(error: unknown, secrets: readonly string[], timeoutMs: number): DeliveryResult {
  const e = error as { name?: string; message?: string; code?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError' || e?.code === 'ETIMEDOUT' || e?.code === 'ETIMEOUT')
    return { ok: false, retryable: true, error: `no answer within ${timeoutMs} ms` };
  const code = e?.cause?.code ?? e?.code;
  const message = e?.cause?.message ?? e?.message ?? String(error);
  return {
    ok: false,
    retryable: true,
    error: scrub(code && !message.includes(code) ? `${message} (${code})` : message, secrets),
  };
}

/**
 * `work` within `timeoutMs`, whatever it does: a client library's own timeout may not cover
 * every stage (DNS, a body that trickles), and a worker must never wait on a receiver forever.
 */
export async function withDeadline(
  timeoutMs: number,
  work: () => Promise<DeliveryResult>,
  onError: (error: unknown) => DeliveryResult,
): Promise<DeliveryResult> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<DeliveryResult>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, retryable: true, error: `no answer within ${timeoutMs} ms` }), timeoutMs);
    timer.unref?.();
  });
  try {
    return await Promise.race([work().catch(onError), late]);
  } finally {
    clearTimeout(timer);
  }
}
