import { BlockList, isIP } from 'node:net';
import { err, ok, type Result } from 'neverthrow';

/**
 * TRUST_PROXY: whose `X-Forwarded-For` is believed for the client address the per-client limits
 * count (sign-in lockouts, the Linear webhook's unverified-delivery limit). Unset, only the
 * connection's peer counts and the header is ignored: anyone could write it. Behind a proxy,
 * every client then shares the proxy's address, so one client's lockout locks out all.
 *
 * - a number `N`: the N nearest hops are proxies, whatever their addresses (the peer, then the
 *   right-most N-1 header entries);
 * - a comma-separated list of addresses, CIDR ranges and the names `loopback` (127.0.0.0/8,
 *   ::1), `linklocal` (169.254.0.0/16, fe80::/10) and `private` (10.0.0.0/8, 172.16.0.0/12,
 *   192.168.0.0/16, fc00::/7, which includes Fly's private network): a hop is a proxy when its
 *   address is in the list.
 *
 * The header is read from the right (what the nearest proxy appended) leftwards, past every
 * trusted proxy; the first address that is not one is the client. An entry that is not an IP
 * address ends the walk at the proxy that sent it.
 */
export interface TrustedProxies {
  clientAddress(peer: string | undefined, forwardedFor: string | null | undefined): string | undefined;
}

export const TRUST_PROXY_PROBLEM =
  'TRUST_PROXY must be a number of proxy hops, or a comma-separated list of IP addresses, CIDR ranges and the names loopback, linklocal, private';

const NAMED: Record<string, string[]> = {
  loopback: ['127.0.0.0/8', '::1/128'],
  linklocal: ['169.254.0.0/16', 'fe80::/10'],
  private: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
};

/** `::ffff:10.0.0.1` is an IPv4 client seen through an IPv6 socket: matched as IPv4. */
function unmapped(address: string): string {
  return /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1] ?? address;
}

function addRange(list: BlockList, range: string): boolean {
  const [address = '', bits, extra] = range.split('/');
  const family = isIP(address);
  if (family === 0 || extra !== undefined) return false;
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (bits === undefined) {
    list.addAddress(address, type);
    return true;
  }
  const prefix = Number(bits);
  if (!/^\d+$/.test(bits) || prefix > (family === 4 ? 32 : 128)) return false;
  list.addSubnet(address, prefix, type);
  return true;
}

export function parseTrustProxy(value: string): Result<TrustedProxies, string> {
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) {
    const hops = Number(trimmed);
    if (hops > 32) return err(TRUST_PROXY_PROBLEM);
    return ok(walker((_address, hop) => hop < hops));
  }
  const list = new BlockList();
  const entries = trimmed.split(',').map((e) => e.trim());
  for (const entry of entries) {
    const ranges = NAMED[entry.toLowerCase()] ?? [entry];
    if (!entry || !ranges.every((range) => addRange(list, range))) return err(TRUST_PROXY_PROBLEM);
  }
  return ok(walker((address) => list.check(address, isIP(address) === 4 ? 'ipv4' : 'ipv6')));
}

function walker(trusts: (address: string, hop: number) => boolean): TrustedProxies {
  return {
    clientAddress(peer, forwardedFor) {
      if (!peer || !forwardedFor) return peer;
      const forwarded = forwardedFor
        .split(',')
        .map((entry) => entry.trim())
        .filter(Boolean)
        .reverse();
      let current = unmapped(peer);
      for (let hop = 0; hop < forwarded.length; hop++) {
        if (!trusts(current, hop)) return current;
        const next = unmapped(forwarded[hop]!);
        if (isIP(next) === 0) return current;
        current = next;
      }
      return current;
    },
  };
}

/** No TRUST_PROXY: the connection's peer is the client, whatever the header says. */
export const NO_TRUSTED_PROXIES: TrustedProxies = { clientAddress: (peer) => peer };

/** The validated setting (hosts/config.ts checked it at start) as the matcher the routes use. */
export function trustedProxiesFrom(value: string | undefined): TrustedProxies {
  return value ? parseTrustProxy(value).unwrapOr(NO_TRUSTED_PROXIES) : NO_TRUSTED_PROXIES;
}
