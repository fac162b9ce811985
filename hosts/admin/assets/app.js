// @ts-check
import { api, onSessionExpired, reuseSlowReads, token } from './api.js';
import { errorBox, h } from './dom.js';
import { swapPanel } from './live-panel.js';
import { createLiveUpdates } from './live-updates.js';
import { GROUPS, PANELS } from './panels/index.js';
import { VIEWS } from './panels/views.js';

/**
 * The admin shell: the login form, the sidebar, hash routing (`#/issues`), the Refresh button
 * and the status line. Each panel renders itself into a fresh element from the JSON API.
 */

/** @typedef {import('./panels/index.js').Panel} Panel */
/** @typedef {import('./panels/index.js').PanelContext} PanelContext */
/** @typedef {import('./panels/views.js').View} View */
/** @typedef {import('./panels/views.js').ViewContext} ViewContext */

const $ = /** @param {string} id */ (id) => /** @type {HTMLElement} */ (document.getElementById(id));

const loginScreen = $('login-screen');
const loginForm = /** @type {HTMLFormElement} */ ($('login-form'));
const loginMessage = $('login-message');
const codeInput = /** @type {HTMLInputElement} */ ($('access-code'));
const appShell = $('app');
const sidebar = $('sidebar');
const main = $('main');
const statusLine = $('app-status');
const refreshButton = /** @type {HTMLButtonElement} */ ($('refresh-button'));

/** The refresh handler of the panel on screen, if it has one; else Refresh re-renders it. */
/** @type {(() => Promise<void>) | undefined} */
let panelRefresh;
let renderCount = 0;
/** Redraws the open panel in place as the orchestrator announces changes (live-updates.js). */
const liveUpdates = createLiveUpdates({
  main,
  badgeBefore: refreshButton,
  isShown: () => !appShell.hidden,
  reload: () => (panelRefresh ? panelRefresh() : reuseSlowReads(() => renderRoute(false, true))),
});

/** @param {string} message @param {'good' | 'bad' | 'info'} [tone] */
function setStatus(message, tone = 'info') {
  statusLine.textContent = message;
  statusLine.dataset.tone = tone;
}

function showLogin(/** @type {string} */ message = '') {
  appShell.hidden = true;
  loginScreen.hidden = false;
  loginMessage.textContent = message;
  main.replaceChildren();
  document.title = 'Sign in · AI-Implement admin';
  codeInput.value = '';
  codeInput.focus();
}

function showApp() {
  loginScreen.hidden = true;
  appShell.hidden = false;
  if (!sidebar.hasChildNodes()) buildSidebar();
  void renderRoute(false);
  liveUpdates.start();
}

function buildSidebar() {
  for (const group of GROUPS) {
    const headingId = `nav-${group.toLowerCase()}`;
    sidebar.append(
      h(
        'div',
        { class: 'nav-group' },
        h('h2', { id: headingId }, group),
        h(
          'ul',
          { 'aria-labelledby': headingId },
          PANELS.filter((p) => p.group === group).map((p) =>
            h('li', {}, h('a', { href: `#/${p.id}`, 'data-panel': p.id }, p.title)),
          ),
        ),
      ),
    );
  }
}

/**
 * The panel of `#/issues`, or a drill-down view and its parameter (`#/job/<id>`, `#/issue/<ref>`).
 * @returns {{ panel: Panel | View, param: string | undefined }}
 */
function currentRoute() {
  const path = window.location.hash.replace(/^#\/?/, '');
  const slash = path.indexOf('/');
  if (slash > 0) {
    const view = VIEWS.find((v) => v.id === path.slice(0, slash));
    const param = safeDecode(path.slice(slash + 1));
    if (view && param) return { panel: view, param };
  }
  return { panel: PANELS.find((p) => p.id === path) ?? /** @type {Panel} */ (PANELS[0]), param: undefined };
}

/** @param {string} text */
function safeDecode(text) {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

/**
 * @param {boolean} moveFocus move focus to the new panel's heading (after a navigation)
 * @param {boolean} [inPlace] a live update: keep what is on screen until the new content is ready
 */
async function renderRoute(moveFocus, inPlace = false) {
  const { panel, param } = currentRoute();
  const sameRoute = inPlace && main.dataset.route === window.location.hash;
  const heading = panel.heading ?? panel.title;
  const parent = 'parent' in panel ? panel.parent : panel.id;
  /** @type {HTMLElement} */
  let title;
  /** @type {HTMLElement} */
  let body;
  const oldBody = /** @type {HTMLElement | null} */ (main.querySelector(':scope > .panel'));
  const oldTitle = /** @type {HTMLElement | null} */ (main.querySelector(':scope > .panel-head h1'));
  if (sameRoute && oldBody && oldTitle) {
    title = oldTitle;
    body = oldBody;
  } else {
    document.title = `${heading} · AI-Implement admin`;
    for (const link of sidebar.querySelectorAll('a[data-panel]')) {
      if (link.getAttribute('data-panel') === parent) link.setAttribute('aria-current', 'page');
      else link.removeAttribute('aria-current');
    }
    title = h('h1', { tabindex: -1 }, heading);
    body = h('div', { class: 'panel', 'aria-busy': 'true' }, h('p', { class: 'muted loading' }, 'Loading…'));
    main.dataset.route = window.location.hash;
    main.replaceChildren(
      h('div', { class: 'panel-head' }, title, panel.intro ? h('p', { class: 'muted' }, panel.intro) : null),
      body,
    );
    if (moveFocus) title.focus();
  }
  panelRefresh = undefined;
  const mine = ++renderCount;
  /** @type {ViewContext} */
  const ctx = {
    status: (message, tone) => {
      if (mine === renderCount) setStatus(message, tone);
    },
    onRefresh: (handler) => {
      if (mine === renderCount) panelRefresh = handler;
    },
    rerender: () => {
      if (mine === renderCount) void renderRoute(false);
    },
    setHeading: (text) => {
      if (mine !== renderCount) return;
      title.textContent = text;
      document.title = `${text} · AI-Implement admin`;
    },
  };
  const content = h('div', { class: 'panel' });
  try {
    await panel.render(content, ctx, /** @type {string} */ (param));
  } catch (error) {
    content.replaceChildren(errorBox(`This panel could not be shown: ${error instanceof Error ? error.message : String(error)}`));
  }
  // A newer navigation (or a sign-out) replaced this panel while it loaded.
  if (mine !== renderCount || !body.isConnected) return;
  if (body === oldBody) swapPanel(body, content);
  else body.replaceWith(content);
}

async function refresh() {
  refreshButton.disabled = true;
  setStatus('Refreshing…');
  const res = await api.post('/api/v1/refresh');
  if (!res.ok) {
    refreshButton.disabled = false;
    if (res.status !== 401) setStatus(`Refresh failed: ${res.error}`, 'bad');
    return;
  }
  // The cycle runs in the background: show what is there now, and again once it has had time to
  // finish — unless the operator has moved to another panel meanwhile (it loaded fresh data).
  await reloadPanel();
  const shown = renderCount;
  await new Promise((resolve) => setTimeout(resolve, 1200));
  if (shown === renderCount) await reloadPanel();
  refreshButton.disabled = false;
  setStatus(`Refreshed at ${new Date().toLocaleTimeString()}`, 'good');
}

async function reloadPanel() {
  if (appShell.hidden) return;
  if (panelRefresh) await panelRefresh();
  else await renderRoute(false);
}

loginForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  const code = codeInput.value;
  if (code === '') {
    loginMessage.textContent = 'Enter the access code';
    return;
  }
  const button = /** @type {HTMLButtonElement} */ (loginForm.querySelector('button[type="submit"]'));
  button.disabled = true;
  loginMessage.textContent = '';
  const res = await api.post('/api/auth', { code });
  button.disabled = false;
  if (res.ok && typeof res.data?.token === 'string') {
    token.set(res.data.token);
    setStatus('');
    showApp();
    return;
  }
  loginMessage.textContent = res.ok ? 'The orchestrator sent no token' : res.error;
  codeInput.select();
});

refreshButton.addEventListener('click', () => void refresh());
$('logout-button').addEventListener('click', async () => {
  // End the session on the server too: a copied token stops working at once.
  if (token.get()) await api.del('/api/auth');
  token.clear();
  liveUpdates.stop();
  showLogin('Signed out.');
});
$('skip-link').addEventListener('click', (event) => {
  event.preventDefault(); // keep the #/panel route in the address bar
  main.focus();
});
window.addEventListener('hashchange', () => {
  if (!appShell.hidden) void renderRoute(true);
});
onSessionExpired(() => {
  liveUpdates.stop();
  if (!appShell.hidden) showLogin('Your session has expired. Sign in again.');
});

if (token.get()) showApp();
else showLogin();
