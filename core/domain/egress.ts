/**
 * The agent's egress allow-list (issue 13, "Egress: an allow-list … and the run's comment says
 * which requests were blocked"). The sandbox has no network of its own; the session's proxy
 * lets a request through only when its host and port match a rule here, and records every
 * other one. Pure: the proxy (adapters/sandbox/egress-proxy.ts) does the I/O.
 */

/** One allowed destination: a host, or every subdomain of one (`*.host`), on one port or the web's two. */
export interface EgressRule {
  host: string;
  /** `*.example.com`: any name under example.com, not example.com itself. */
  subdomains: boolean;
  /** Only this port; without one, 443 and 80. */
  port?: number;
}

/** The ports a rule without its own port allows: HTTPS and HTTP. */
export const WEB_PORTS: readonly number[] = [443, 80];

/**
 * What an agent needs by default: the model provider (Claude Code's API and its feature-flag
 * service) and the public package registries of the common ecosystems (an install behind the
 * proxy reaches them; nothing else does). The forge and the operator's own hosts are added by
 * the session (`AI_IMPLEMENT_EGRESS_ALLOW`).
 */
export const DEFAULT_EGRESS_HOSTS: readonly string[] = [
  'api.anthropic.com',
  'statsig.anthropic.com',
  'registry.npmjs.org',
  'registry.yarnpkg.com',
  'pypi.org',
  'files.pythonhosted.org',
  'proxy.golang.org',
  'sum.golang.org',
  'crates.io',
  'index.crates.io',
  'static.crates.io',
  'rubygems.org',
  'index.rubygems.org',
  'repo.maven.apache.org',
  'repo1.maven.org',
];

const LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;
const IPV6 = /^[0-9a-f:.]+$/;

/** A host as the proxy compares it: lower case, no trailing dot, no IPv6 brackets; undefined when it is no host name or address. */
export function normalizeHost(host: string): string | undefined {
  let h = host.trim().toLowerCase();
  if (h.startsWith('[') && h.endsWith(']')) h = h.slice(1, -1);
  else h = h.replace(/\.+$/, '');
  if (h.length === 0 || h.length > 253) return undefined;
  if (h.includes(':')) return IPV6.test(h) ? h : undefined;
  return h.split('.').every((label) => LABEL.test(label)) ? h : undefined;
}

const validPort = (p: number) => Number.isInteger(p) && p > 0 && p < 65536;

/** One entry: `host`, `*.host`, `host:port`, `[v6]:port`, or a URL (`https://host:8443/path`: its host and port). */
export function parseEgressRule(entry: string): EgressRule | undefined {
  let text = entry.trim();
  let port: number | undefined;
  const url = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]+)/i.exec(text);
  if (url) {
    const scheme = (url[1] ?? '').toLowerCase();
    text = (url[2] ?? '').replace(/^.*@/, '');
    if (!/:\d+$/.test(text) && (scheme === 'https' || scheme === 'http')) port = scheme === 'https' ? 443 : 80;
  }
  const withPort = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(text);
  if (withPort) {
    port = Number(withPort[2]);
    text = withPort[1] ?? '';
  }
  if (port !== undefined && !validPort(port)) return undefined;
  const subdomains = text.startsWith('*.');
  const host = normalizeHost(subdomains ? text.slice(2) : text);
  if (!host || (subdomains && host.includes(':'))) return undefined;
  return { host, subdomains, ...(port !== undefined ? { port } : {}) };
}

/** A list of entries separated by commas or white space; the ones that are no rule are named. */
export function parseEgressAllow(text: string): { rules: EgressRule[]; invalid: string[] } {
  const rules: EgressRule[] = [];
  const invalid: string[] = [];
  for (const entry of text.split(/[\s,]+/).filter(Boolean)) {
    const rule = parseEgressRule(entry);
    if (rule) rules.push(rule);
    else invalid.push(entry);
  }
  return { rules, invalid };
}

/** Whether a request to `host:port` may leave the sandbox. Only names and addresses a rule lists: no resolution, no guess. */
export function egressAllows(rules: readonly EgressRule[], host: string, port: number): boolean {
  const h = normalizeHost(host);
  if (!h || !validPort(port)) return false;
  return rules.some(
    (rule) =>
      (rule.subdomains ? h.endsWith(`.${rule.host}`) : h === rule.host) &&
      (rule.port === undefined ? WEB_PORTS.includes(port) : rule.port === port),
  );
}

/** One refused destination, with how often it was asked for. */
export interface BlockedRequest {
  /** `CONNECT` for a tunnel (HTTPS), else the HTTP method of a plain request. */
  method: string;
  /** `host:port`, made safe to print (anything but a host name's characters is `?`). */
  target: string;
  count: number;
}

export interface BlockedLog {
  entries: BlockedRequest[];
  /** Requests to further destinations once `entries` holds the cap. */
  dropped: number;
}

export const EMPTY_BLOCKED_LOG: BlockedLog = { entries: [], dropped: 0 };

/** The most destinations a run's log keeps: a hostile agent may ask for millions. */
export const BLOCKED_LOG_CAP = 100;

/** `host:port` of a request as the comment shows it: only a host name's characters, at most 200 of them. */
export function blockedTarget(host: string, port: number | string): string {
  const safe = (s: string, max: number) => s.replace(/[^A-Za-z0-9._\-:]/g, '?').slice(0, max);
  const h = safe(host.replace(/^\[(.*)\]$/, '$1'), 200) || '?';
  return `${h.includes(':') ? `[${h}]` : h}:${safe(String(port), 5) || '?'}`;
}

/** Adds one refused request; `first` says whether its destination is new to the log. */
export function recordBlocked(
  log: BlockedLog,
  request: { method: string; host: string; port: number | string },
  cap = BLOCKED_LOG_CAP,
): { log: BlockedLog; first: boolean } {
  const method =
    request.method
      .toUpperCase()
      .replace(/[^A-Z]/g, '')
      .slice(0, 16) || '?';
  const target = blockedTarget(request.host, request.port);
  const at = log.entries.findIndex((e) => e.method === method && e.target === target);
  if (at >= 0) {
    const entries = log.entries.map((e, i) => (i === at ? { ...e, count: e.count + 1 } : e));
    return { log: { ...log, entries }, first: false };
  }
  if (log.entries.length >= cap) return { log: { ...log, dropped: log.dropped + 1 }, first: false };
  return { log: { ...log, entries: [...log.entries, { method, target, count: 1 }] }, first: true };
}

/** How many lines of destinations the comment lists before summing up the rest. */
const COMMENT_LINES = 30;

/** The run's comment on what its sandbox refused; undefined when nothing was. */
export function blockedRequestsComment(log: BlockedLog): string | undefined {
  if (log.entries.length === 0) return undefined;
  const lines = log.entries
    .slice(0, COMMENT_LINES)
    .map((e) => `- \`${e.method} ${e.target}\`${e.count > 1 ? ` (${e.count} times)` : ''}`);
  const more = log.entries.length - COMMENT_LINES;
  if (more > 0) lines.push(`- … and ${more} more destination${more === 1 ? '' : 's'}`);
  if (log.dropped > 0) lines.push(`- … and ${log.dropped} more request${log.dropped === 1 ? '' : 's'} not itemised`);
  return [
    '🚧 Blocked network requests',
    '',
    "The agent's sandbox reaches only allow-listed hosts; these requests were refused:",
    '',
    ...lines,
    '',
    'If the run needs one of them, add the host to `AI_IMPLEMENT_EGRESS_ALLOW`.',
  ].join('\n');
}
