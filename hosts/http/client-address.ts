import { getRequestIP, type H3Event } from 'h3';
import type { TrustedProxies } from './trusted-proxies.js';

/**
 * The key a request's client is counted under by the per-client limits (clientKey of its
 * address): the connection's peer, or — when that peer is a trusted proxy (TRUST_PROXY) — the
 * address it forwarded in `X-Forwarded-For` (trusted-proxies.ts).
 */
export function clientOf(event: H3Event, trusted: TrustedProxies): string {
  return clientKey(trusted.clientAddress(getRequestIP(event), event.req.headers.get('x-forwarded-for')));
}

/**
 * The key a client is counted under: its address, an IPv4-mapped address as IPv4, and an
 * IPv6 address by its /64 (one host usually holds a whole /64). No address (a request made
 * in-process) counts as one client.
 */
export function clientKey(address: string | undefined): string {
  if (!address) return 'unknown';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  if (!address.includes(':')) return address;
  const [head = '', tail = ''] = address.split('%')[0]!.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = address.includes('::') && tail ? tail.split(':') : [];
  const groups = address.includes('::') ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}
