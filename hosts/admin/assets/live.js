// @ts-check
import { token } from './api.js';

/**
 * The page's one live connection to `GET /api/v1/events` (Server-Sent Events).
 *
 * The browser's EventSource cannot send an Authorization header, and the admin token must never
 * travel in a URL (URLs end up in access logs, proxies and the browser history). So the stream is
 * read with fetch, which sends the bearer token as every other API call does, and parsed here as
 * the SSE format says (`id:`, `event:`, `data:`, `:` comments, frames ended by a blank line).
 * A dropped stream reconnects with `Last-Event-ID`, so the server replays what was missed (or
 * sends one `reset`). While the stream is down the page falls back to refreshing on a timer.
 */

/** @typedef {'connecting' | 'live' | 'reconnecting' | 'offline'} LiveState */
/** @typedef {{ id: string | undefined, type: string, data: any }} LiveEvent */

/** The server sends a heartbeat comment every 15 s: twice that with nothing at all means a dead stream. */
export const SILENCE_MS = 35_000;
/** Waits before reconnecting, growing with each failure in a row. */
export const BACKOFF_MS = [1_000, 2_000, 5_000, 10_000, 20_000];
/** How often the open panel is re-read while the stream is down. */
export const FALLBACK_REFRESH_MS = 15_000;

/**
 * @param {{
 *   onEvent: (event: LiveEvent) => void,
 *   onState: (state: LiveState, detail: string) => void,
 *   onFallbackTick: () => void,
 *   path?: string,
 *   fallbackMs?: number,
 *   backoffMs?: number[],
 * }} handlers
 */
export function startLive({
  onEvent,
  onState,
  onFallbackTick,
  path = '/api/v1/events',
  fallbackMs = FALLBACK_REFRESH_MS,
  backoffMs = BACKOFF_MS,
}) {
  /** @type {string | undefined} */
  let lastEventId;
  let failures = 0;
  let stopped = false;
  /** @type {AbortController | undefined} */
  let controller;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let retryTimer;
  /** @type {ReturnType<typeof setInterval> | undefined} */
  let fallbackTimer;

  /** @param {LiveState} state @param {string} detail */
  const setState = (state, detail) => {
    // While down, the panel is re-read on a timer; once live, events do it.
    if (state === 'live') {
      if (fallbackTimer !== undefined) clearInterval(fallbackTimer);
      fallbackTimer = undefined;
    } else if (fallbackTimer === undefined && state !== 'connecting') {
      fallbackTimer = setInterval(onFallbackTick, fallbackMs);
    }
    onState(state, detail);
  };

  async function connect() {
    if (stopped) return;
    const bearer = token.get();
    if (!bearer) {
      setState('offline', 'Signed out');
      return;
    }
    controller = new AbortController();
    const mine = controller;
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    let silence;
    const watch = () => {
      if (silence !== undefined) clearTimeout(silence);
      silence = setTimeout(() => mine.abort(), SILENCE_MS);
    };
    setState(failures === 0 && lastEventId === undefined ? 'connecting' : 'reconnecting', 'Connecting to the event stream…');
    /** @type {Record<string, string>} */
    const headers = { accept: 'text/event-stream', authorization: `Bearer ${bearer}` };
    if (lastEventId !== undefined) headers['last-event-id'] = lastEventId;
    try {
      watch();
      const res = await fetch(path, { headers, cache: 'no-store', signal: mine.signal });
      if (res.status === 401) {
        // The session is over: the next API call (the fallback refresh) takes the page to sign-in.
        setState('offline', 'Not signed in');
        onFallbackTick();
        return;
      }
      if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      let announced = false;
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        watch();
        buffer += value;
        // Frames end with a blank line; CR LF and CR count as line ends too.
        buffer = buffer.replace(/\r\n?/g, '\n');
        let end = buffer.indexOf('\n\n');
        while (end >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          end = buffer.indexOf('\n\n');
          const event = parseFrame(frame);
          if (!announced) {
            announced = true;
            failures = 0;
            setState('live', 'Live: panels update as things change');
          }
          if (event.id !== undefined) lastEventId = event.id;
          if (event.data !== undefined) onEvent({ id: event.id, type: event.type, data: safeJson(event.data) });
        }
      }
      throw new Error('the stream ended');
    } catch (error) {
      if (stopped) return;
      failures += 1;
      const wait = backoffMs[Math.min(failures - 1, backoffMs.length - 1)] ?? 20_000;
      const why = error instanceof Error && error.name !== 'AbortError' ? error.message : 'no heartbeat';
      setState(
        failures > 2 ? 'offline' : 'reconnecting',
        `Event stream down (${why}); retrying in ${Math.round(wait / 1000)} s, refreshing every ${Math.round(fallbackMs / 1000)} s`,
      );
      retryTimer = setTimeout(() => void connect(), wait);
    } finally {
      if (silence !== undefined) clearTimeout(silence);
    }
  }

  void connect();

  return {
    /** Closes the stream for good (sign-out). */
    stop() {
      stopped = true;
      controller?.abort();
      if (retryTimer !== undefined) clearTimeout(retryTimer);
      if (fallbackTimer !== undefined) clearInterval(fallbackTimer);
    },
    /** The id of the last event seen: a reconnect resumes after it. */
    lastEventId: () => lastEventId,
  };
}

/**
 * One SSE frame: its `id`, its `event` name (default `message`) and its data lines joined.
 * Comment lines (`:heartbeat`) carry nothing.
 * @param {string} frame
 * @returns {{ id: string | undefined, type: string, data: string | undefined }}
 */
export function parseFrame(frame) {
  /** @type {string | undefined} */
  let id;
  let type = 'message';
  /** @type {string[]} */
  const data = [];
  for (const line of frame.split('\n')) {
    if (line === '' || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'id' && !value.includes('\0')) id = value;
    else if (field === 'event') type = value;
    else if (field === 'data') data.push(value);
  }
  return { id, type, data: data.length > 0 ? data.join('\n') : undefined };
}

/** @param {string} text */
function safeJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
