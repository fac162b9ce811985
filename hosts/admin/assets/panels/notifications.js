// @ts-check
import { api } from '../api.js';
import { badge, errorBox, extLink, h, pager, section, stack, table, time } from '../dom.js';

/**
 * Platform → Notifications: which channels are configured, a test message per channel, and the
 * delivery queue with every attempt (GET /api/notifications, POST /api/notifications/test).
 * Everything shown is text: a reason or a receiver's answer is never rendered as HTML.
 */

const CHANNELS = /** @type {const} */ (['slack', 'webhook', 'email']);
const CHANNEL_NAMES = { slack: 'Slack', webhook: 'Signed webhook', email: 'E-mail' };
const PAGE = 50;

/** @type {Record<string, import('../dom.js').Tone>} */
const STATUS_TONES = { delivered: 'good', failed: 'bad', pending: 'warn', sending: 'info' };

/** @param {any} attempt */
function attemptLine(attempt) {
  return h(
    'li',
    {},
    badge(attempt.ok ? 'ok' : 'failed', attempt.ok ? 'good' : 'bad'),
    ' ',
    time(attempt.at),
    ` · ${attempt.durationMs} ms · `,
    attempt.detail,
  );
}

/** @param {HTMLElement} root @param {import('./index.js').PanelContext} ctx */
export async function render(root, ctx) {
  const messages = h('div', { class: 'messages' });
  const channels = h('div');
  const queue = h('div');
  const filters = { status: '', channel: '', offset: 0 };

  /** @param {'slack' | 'webhook' | 'email'} channel */
  async function sendTest(channel) {
    const res = await api.post('/api/notifications/test', { channel });
    messages.replaceChildren(
      res.ok
        ? h(
            'p',
            { class: `callout callout-${res.data.delivered ? 'good' : 'bad'}`, role: 'status' },
            `${CHANNEL_NAMES[channel]}: ${res.data.delivered ? 'delivered' : 'not delivered'} (${res.data.detail}, ${res.data.durationMs} ms)`,
          )
        : errorBox(`${CHANNEL_NAMES[channel]}: ${res.error}`),
    );
    await load();
  }

  /** @param {Record<string, boolean>} configured */
  function renderChannels(configured) {
    channels.replaceChildren(
      table({
        caption: 'Notification channels',
        captionHidden: true,
        empty: 'No channels.',
        rows: CHANNELS.map((channel) => ({ channel, configured: Boolean(configured[channel]) })),
        columns: [
          { label: 'Channel', cell: (c) => CHANNEL_NAMES[/** @type {'slack'} */ (c.channel)] },
          {
            label: 'Global configuration',
            cell: (c) => badge(c.configured ? 'configured' : 'not configured', c.configured ? 'good' : 'neutral'),
          },
          {
            label: 'Test',
            cell: (c) =>
              h(
                'button',
                {
                  type: 'button',
                  disabled: !c.configured,
                  'aria-label': `Send a test message through ${CHANNEL_NAMES[/** @type {'slack'} */ (c.channel)]}`,
                  on: { click: () => sendTest(c.channel) },
                },
                'Send test',
              ),
          },
        ],
      }),
    );
  }

  /** @param {string} label @param {'status' | 'channel'} key @param {string[]} values */
  function filterSelect(label, key, values) {
    const select = h(
      'select',
      {
        'aria-label': label,
        on: {
          change: (event) => {
            filters[key] = /** @type {HTMLSelectElement} */ (event.target).value;
            filters.offset = 0;
            void load();
          },
        },
      },
      h('option', { value: '' }, `Any ${label.toLowerCase()}`),
      ...values.map((v) => h('option', { value: v, selected: filters[key] === v }, v)),
    );
    return select;
  }

  /** @param {number} offset */
  function page(offset) {
    filters.offset = offset;
    void load();
  }

  async function load() {
    const query = new URLSearchParams({ limit: String(PAGE), offset: String(filters.offset) });
    if (filters.status) query.set('status', filters.status);
    if (filters.channel) query.set('channel', filters.channel);
    const res = await api.get(`/api/notifications?${query}`);
    if (!res.ok) {
      queue.replaceChildren(errorBox(res.error));
      return;
    }
    renderChannels(res.data.channels);
    const { total, offset } = res.data;
    const pages = pager({ offset, pageSize: PAGE, total, onPage: page });
    queue.replaceChildren(
      h(
        'p',
        {},
        filterSelect('Status', 'status', ['pending', 'sending', 'delivered', 'failed']),
        ' ',
        filterSelect('Channel', 'channel', [...CHANNELS]),
      ),
      table({
        caption: 'Notification queue',
        captionHidden: true,
        rows: /** @type {any[]} */ (res.data.notifications),
        empty: 'No notifications yet.',
        columns: [
          { label: 'Queued', cell: (n) => time(n.createdAt) },
          { label: 'Event', cell: (n) => h('code', {}, n.message.kind) },
          {
            label: 'Message',
            class: 'wrap',
            cell: (n) =>
              stack(
                n.message.title,
                n.message.reason ? `Reason: ${n.message.reason}` : null,
                ...(n.message.links ?? []).map((/** @type {any} */ l) => extLink(l.url, l.label)),
              ),
          },
          {
            label: 'Channel',
            cell: (n) => `${CHANNEL_NAMES[/** @type {'slack'} */ (n.channel)] ?? n.channel}${n.route ? ` (${n.route})` : ''}`,
          },
          { label: 'Status', cell: (n) => badge(n.status, STATUS_TONES[n.status] ?? 'neutral') },
          {
            label: 'Attempts',
            class: 'wrap',
            cell: (n) =>
              h(
                'div',
                {},
                `${n.attemptCount}${n.status === 'pending' && n.attemptCount > 0 ? ` · next ${new Date(n.nextAttemptAt).toLocaleTimeString()}` : ''}`,
                n.attempts.length > 0 ? h('ul', { class: 'plain' }, ...n.attempts.map(attemptLine)) : null,
              ),
          },
        ],
      }),
      pages,
    );
  }

  root.append(
    h(
      'p',
      { class: 'muted' },
      'Failed and timed-out runs, failed reviews, plans waiting for approval, refused credentials, opened circuits, budgets, reaper kills and storage outages, sent to Slack, a signed webhook and e-mail. Failed deliveries are retried with backoff; finished ones are kept 7 days.',
    ),
    messages,
    section('Channels', channels),
    section('Queue', queue),
  );
  ctx.onRefresh(load);
  await load();
}
