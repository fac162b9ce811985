// @ts-check
import { api, onSessionExpired, seg, token } from './api.js';
import { diffView } from './diff-view.js';
import { badge, errorBox, h, section, table, time } from './dom.js';

/**
 * The local forge's pull-request page (`/local-forge/:owner/:repo/pull/:n`): title, body, branch,
 * commits and the diff against the base, read from `/api/local-forge/…` with the admin token.
 * Without a token (a new tab keeps none) it asks for the access code, as /admin does.
 */

const main = /** @type {HTMLElement} */ (document.getElementById('main'));

/** @returns {{ owner: string, repo: string, number: string } | undefined} */
function pullFromPath() {
  const m = /^\/local-forge\/([^/]+)\/([^/]+)\/pull\/([^/]+)\/?$/.exec(window.location.pathname);
  if (!m?.[1] || !m[2] || !m[3]) return undefined;
  return { owner: decodeURIComponent(m[1]), repo: decodeURIComponent(m[2]), number: decodeURIComponent(m[3]) };
}

/** @param {string} message */
function showSignIn(message) {
  const code = h('input', {
    id: 'access-code',
    name: 'code',
    type: 'password',
    autocomplete: 'current-password',
    required: true,
  });
  const note = h('p', { class: 'form-message', role: 'alert', 'aria-live': 'assertive' }, message);
  const form = h(
    'form',
    { id: 'login-form', novalidate: true, 'aria-labelledby': 'login-title' },
    h('label', { for: 'access-code' }, 'Access code'),
    code,
    note,
    h('button', { type: 'submit', class: 'primary' }, 'Sign in'),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (code.value === '') {
      note.textContent = 'Enter the access code';
      return;
    }
    const res = await api.post('/api/auth', { code: code.value });
    if (res.ok && typeof res.data?.token === 'string') {
      token.set(res.data.token);
      void load();
      return;
    }
    note.textContent = res.ok ? 'The orchestrator sent no token' : res.error;
    code.select();
  });
  document.title = 'Sign in · AI-Implement local forge';
  main.replaceChildren(
    h(
      'div',
      { class: 'login-card forge-sign-in' },
      h('h1', { id: 'login-title' }, 'Sign in to see this pull request'),
      h('p', { class: 'muted' }, 'Pull requests of the local forge are shown to admins. Sign in with the admin access code.'),
      form,
    ),
  );
  code.focus();
}

/** @param {any} pr */
function render(pr) {
  document.title = `#${pr.number} ${pr.title} · ${pr.owner}/${pr.repo}`;
  const stateTone = pr.state === 'open' ? 'good' : pr.state === 'merged' ? 'info' : 'neutral';
  main.replaceChildren(
    h(
      'div',
      { class: 'panel-head' },
      h('p', { class: 'muted' }, `${pr.owner}/${pr.repo} · pull request #${pr.number}`),
      h('h1', { tabindex: -1 }, pr.title),
      h(
        'p',
        { class: 'inline forge-meta' },
        badge(pr.state, stateTone),
        h(
          'span',
          {},
          'wants to merge ',
          h('code', { 'data-testid': 'head-branch' }, pr.branch),
          ' into ',
          h('code', {}, pr.baseBranch),
        ),
        h('span', { class: 'muted' }, 'opened ', time(pr.createdAt)),
        pr.headSha
          ? h('span', { class: 'muted' }, 'head ', h('code', {}, pr.headSha.slice(0, 12)))
          : badge('branch gone', 'warn'),
      ),
    ),
    section(
      'Description',
      pr.body.trim() === '' ? h('p', { class: 'muted' }, 'No description.') : h('pre', { class: 'forge-body' }, pr.body),
    ),
    section(
      `Commits (${pr.commits.length})`,
      table({
        caption: 'Commits, oldest first',
        captionHidden: true,
        rows: pr.commits,
        empty: 'No commits beyond the base.',
        columns: [
          { label: 'Commit', cell: (c) => h('code', { title: c.sha }, c.sha.slice(0, 12)) },
          { label: 'Message', class: 'wrap', cell: (c) => c.subject },
          { label: 'Author', cell: (c) => c.author },
          { label: 'When', cell: (c) => time(c.authoredAt) },
        ],
      }),
    ),
    section(
      'Changes',
      pr.diffTruncated
        ? h('p', { class: 'callout callout-warn' }, 'The diff is longer than 512 KiB; only its start is shown.')
        : null,
      pr.diff === ''
        ? h('p', { class: 'muted' }, 'No changes against the base.')
        : diffView(pr.diff, `Diff of ${pr.branch} against ${pr.baseBranch}`),
    ),
  );
}

async function load() {
  const pull = pullFromPath();
  if (!pull) {
    main.replaceChildren(errorBox('This address names no pull request.'));
    return;
  }
  if (!token.get()) {
    showSignIn('');
    return;
  }
  main.replaceChildren(h('p', { class: 'muted loading' }, 'Loading…'));
  const res = await api.get(`/api/local-forge/${seg(pull.owner)}/${seg(pull.repo)}/pulls/${seg(pull.number)}`);
  if (res.ok) render(res.data);
  else if (res.status !== 401)
    main.replaceChildren(
      h('h1', {}, `${pull.owner}/${pull.repo} #${pull.number}`),
      errorBox(res.status === 404 ? 'The local forge has no such pull request.' : res.error),
    );
}

onSessionExpired(() => showSignIn('Your session has expired. Sign in again.'));
void load();
