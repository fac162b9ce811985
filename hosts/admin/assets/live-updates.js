// @ts-check
import { startLive } from './live.js';
import { liveIndicator, panelBusy } from './live-panel.js';

/**
 * Live updates for the admin shell: the event stream (live.js) while signed in, the connection
 * badge placed before `badgeBefore`, and a redraw of the open panel after each burst of events —
 * within a second of a change, never while the operator is typing in it, one at a time.
 */

/** Events come in bursts (a dispatch is several): wait for a short lull, but never more than this. */
const LULL_MS = 200;
const MAX_WAIT_MS = 700;
/** A panel held by the operator (unsaved text, an open stepper) is tried again after this. */
const BUSY_RETRY_MS = 2_000;

/**
 * @param {{
 *   main: HTMLElement,
 *   badgeBefore: Element,
 *   isShown: () => boolean,
 *   reload: () => Promise<void>,
 * }} shell `reload` redraws the open panel in place
 */
export function createLiveUpdates({ main, badgeBefore, isShown, reload }) {
  const indicator = liveIndicator();
  badgeBefore.before(indicator.element);
  /** @type {ReturnType<typeof startLive> | undefined} */
  let live;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  let firstPendingAt = 0;
  let reloading = false;
  let again = false;

  function schedule() {
    const now = Date.now();
    if (timer === undefined) firstPendingAt = now;
    else clearTimeout(timer);
    const wait = Math.max(0, Math.min(LULL_MS, firstPendingAt + MAX_WAIT_MS - now));
    timer = setTimeout(() => {
      timer = undefined;
      void redraw();
    }, wait);
  }

  async function redraw() {
    if (!isShown()) return;
    if (reloading) {
      again = true;
      return;
    }
    if (panelBusy(main)) {
      if (timer === undefined) {
        timer = setTimeout(() => {
          timer = undefined;
          void redraw();
        }, BUSY_RETRY_MS);
      }
      return;
    }
    reloading = true;
    try {
      await reload();
    } finally {
      reloading = false;
    }
    if (again) {
      again = false;
      schedule();
    }
  }

  return {
    /** Opens the stream (after sign-in); a stream already open is replaced. */
    start() {
      live?.stop();
      live = startLive({
        onEvent: () => schedule(),
        onState: (state, detail) => {
          // Back after an outage: the replay covers what was missed, but a `reset` or a long gap may not.
          const recovered = state === 'live' && indicator.state() !== 'live' && indicator.everLive();
          indicator.set(state, detail);
          if (recovered) schedule();
        },
        onFallbackTick: () => void redraw(),
      });
    },
    /** Closes it (sign-out, expired session). */
    stop() {
      live?.stop();
      live = undefined;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      indicator.set('offline', 'Signed out');
    },
  };
}
