import { ADMIN_CODE } from './server.js';

/** The admin API of one server: a session token from POST /api/auth, then JSON calls. */
export interface AdminClient {
  readonly token: string;
  call<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
}

export async function adminClient(baseUrl: string): Promise<AdminClient> {
  const auth = await fetch(`${baseUrl}/api/auth`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code: ADMIN_CODE }),
  });
  const { token } = (await auth.json()) as { token?: string };
  if (!token) throw new Error(`POST /api/auth answered ${auth.status} without a token`);
  return {
    token,
    async call<T>(method: string, path: string, body?: unknown) {
      const response = await fetch(`${baseUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(30_000),
      });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // not JSON (e.g. /metrics)
      }
      return { status: response.status, body: parsed as T };
    },
  };
}

/** A mapping for the embedded tracker with a cap high enough that it never limits a bench. */
export async function createLocalMapping(admin: AdminClient, teamKey: string, cap: number): Promise<void> {
  const { status, body } = await admin.call('POST', '/api/mappings', {
    teamKey,
    ticketing: 'local',
    owner: 'acme',
    repo: 'app',
    defaultBranch: 'main',
    maxInProgressAiIssues: cap,
  });
  if (status >= 300 && status !== 409) throw new Error(`POST /api/mappings ${teamKey}: ${status} ${JSON.stringify(body)}`);
}

export interface CreatedIssue {
  id: string;
  identifier: string;
}

/** POST /api/tracker/issues labelled AI-Implement. */
export async function createTrackerIssue(admin: AdminClient, teamKey: string, title: string): Promise<CreatedIssue> {
  const { status, body } = await admin.call<{ issue?: CreatedIssue }>('POST', '/api/tracker/issues', {
    teamKey,
    title,
    labels: ['AI-Implement'],
  });
  if (status !== 201 || !body.issue) throw new Error(`POST /api/tracker/issues: ${status}`);
  return body.issue;
}

/**
 * GET /api/v1/events as a stream: `job.created` events by identifier, with the time they
 * arrived here (performance.now()). `close()` ends the subscription.
 */
export async function watchDispatches(baseUrl: string, token: string) {
  const seen = new Map<string, number>();
  const controller = new AbortController();
  const response = await fetch(`${baseUrl}/api/v1/events`, {
    headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' },
    signal: controller.signal,
  });
  if (!response.ok || !response.body) throw new Error(`GET /api/v1/events: ${response.status}`);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  const pump = (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        const at = performance.now();
        buffer += value;
        let end = buffer.indexOf('\n\n');
        while (end >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          end = buffer.indexOf('\n\n');
          if (!/^event: job\.created$/m.test(frame)) continue;
          const data = /^data: (.*)$/m.exec(frame)?.[1];
          if (!data) continue;
          const event = JSON.parse(data) as { identifier?: string };
          if (event.identifier && !seen.has(event.identifier)) seen.set(event.identifier, at);
        }
      }
    } catch {
      // aborted
    }
  })();
  return {
    seen,
    close: async () => {
      controller.abort();
      await pump;
    },
  };
}
