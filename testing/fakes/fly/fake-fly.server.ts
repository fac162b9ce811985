import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { redactSecrets } from '../../../core/domain/redaction.js';
import {
  advance,
  type FakeApp,
  type FakeMachine,
  type MachineState,
  newMachine,
  type Progression,
  secretDigest,
  settle,
} from './fake-fly.state.js';

/**
 * A wire-level fake of Fly's Machines API (`/v1/apps/{app}/machines…` and the app-secrets
 * resource `/v1/apps/{app}/secrets…`) on 127.0.0.1, for the real adapters to talk to.
 *
 * It answers what Fly answers: the same shapes and statuses, errors as `{ "error": "…" }`, 401
 * for a missing or wrong token, 404 for an unknown app, machine or secret, 412 when a running
 * machine is destroyed without `force`. Tests can make it fail (`failNext`: 429 with
 * `Retry-After`, 5xx, or no answer at all), drive machine lifecycles (`tick`, `exit`), and read every request.
 *
 * Secret values are write-only here as on Fly from outside the app: no answer contains one,
 * `show_secrets` included. Tests read them through `secretValue` instead.
 *
 * One check Fly does not make, as an assertion on what the orchestrator sends: a machine config
 * that carries a secret value in any encoding (redaction.ts's forms) — one of the app's secrets,
 * or one a test names with `forbidInConfig` (a mapping's extraEnv, a team secret) — is refused
 * with 400 and listed in `configLeaks`, since Fly's API shows the config to anyone who can
 * read the app.
 */
export interface FakeFlyOptions {
  token?: string;
  apps?: string[];
  progression?: Progression;
  now?: () => number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  authorization?: string;
  body?: unknown;
  status: number;
}

export interface InjectedFailure {
  status: number;
  error?: string;
  /** Sent as the `Retry-After` header. */
  retryAfter?: string;
  /** How many matching requests fail (default 1). */
  times?: number;
  method?: string;
  /** Matches when the request path contains this string or matches this pattern. */
  path?: string | RegExp;
  /** Fly did the work but the answer was lost: the request takes effect, then this failure is sent. */
  afterHandling?: boolean;
  /** A hung API: the request is recorded and never answered (`status` is ignored). */
  hang?: boolean;
}

export interface FakeFly {
  url: string;
  token: string;
  requests: RecordedRequest[];
  machines(app?: string): FakeMachine[];
  machine(id: string): FakeMachine | undefined;
  /** Adds a machine as if it had been created earlier (e.g. long ago, for the lifetime rule). */
  seedMachine(
    app: string,
    input: { state?: MachineState; createdAt?: number; metadata?: Record<string, string>; name?: string },
  ): FakeMachine;
  /** Moves every machine one lifecycle step on (`created → starting → started`, `stopping → stopped`). */
  tick(): void;
  /** The session's process exits: the machine stops, and destroys itself with `auto_destroy`. */
  exit(machineId: string): void;
  /** Values no machine config may carry (`configLeaks`). */
  forbidInConfig(...values: string[]): void;
  /** Where refused creates carried a secret (`env NAME` or `config`); never the value. */
  configLeaks: string[];
  secretNames(app?: string): string[];
  secretValue(name: string, app?: string): string | undefined;
  failNext(failure: InjectedFailure): void;
  setProgression(progression: Progression): void;
  close(): Promise<void>;
}

export const FAKE_FLY_APP = 'ai-implement-sessions';
const SECRET_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export async function startFakeFly(options: FakeFlyOptions = {}): Promise<FakeFly> {
  const token = options.token ?? 'fake-fly-token';
  const now = options.now ?? Date.now;
  let progression: Progression = options.progression ?? 'immediate';
  const apps = new Map<string, FakeApp>();
  for (const name of options.apps ?? [FAKE_FLY_APP])
    apps.set(name, { name, machines: new Map(), secrets: new Map(), secretsVersion: 0 });
  const requests: RecordedRequest[] = [];
  const forbidden = new Set<string>();
  const configLeaks: string[] = [];
  const failures: Array<InjectedFailure & { left: number }> = [];
  const iso = () => new Date(now()).toISOString();

  const appOf = (name: string): FakeApp => {
    const app = apps.get(name);
    if (!app) throw new Error(`fake Fly has no app ${name}`);
    return app;
  };

  const takeFailure = (method: string, path: string) => {
    const index = failures.findIndex(
      (f) =>
        (!f.method || f.method === method) &&
        (f.path === undefined || (typeof f.path === 'string' ? path.includes(f.path) : f.path.test(path))),
    );
    if (index < 0) return undefined;
    const failure = failures[index]!;
    failure.left -= 1;
    if (failure.left <= 0) failures.splice(index, 1);
    return failure;
  };

  const authorized = (header: string | undefined) =>
    header === `Bearer ${token}` || (token.startsWith('FlyV1 ') && header === token);

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    const text = await readBody(req);
    let body: unknown;
    let badJson = false;
    if (text) {
      try {
        body = JSON.parse(text);
      } catch {
        badJson = true;
      }
    }
    const record: RecordedRequest = {
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
      ...(text ? { body: badJson ? text : body } : {}),
      status: 0,
    };
    requests.push(record);
    const reply = (status: number, payload?: unknown, headers: Record<string, string> = {}) => {
      record.status = status;
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
      res.end(payload === undefined ? '' : JSON.stringify(payload));
    };
    const injected = takeFailure(method, url.pathname);
    const sendInjected = (failure: InjectedFailure) => {
      const error = failure.error ?? (failure.status === 429 ? 'rate limit exceeded' : 'internal server error');
      reply(failure.status, { error }, failure.retryAfter ? { 'retry-after': failure.retryAfter } : {});
    };
    if (injected?.hang) return;
    if (injected && !injected.afterHandling) return sendInjected(injected);
    // With `afterHandling`, the route runs and its answer is swapped for the failure.
    const send = injected ? () => sendInjected(injected) : reply;
    const fail = (status: number, error: string) => send(status, { error });
    if (!authorized(req.headers.authorization)) return fail(401, 'You must be authenticated to view this.');
    if (badJson) return fail(400, 'invalid JSON in request body');

    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    if (parts[0] !== 'v1' || parts[1] !== 'apps' || !parts[2]) return fail(404, 'not found');
    const app = apps.get(parts[2]);
    if (!app) return fail(404, 'app not found');
    const [, , , resource, id, action] = parts;

    if (resource === 'machines') return machinesRoute(app, method, id, action, url.searchParams, body, send, fail);
    if (resource === 'secrets' && !action) return secretsRoute(app, method, id, url.searchParams, body, send, fail);
    return fail(404, 'not found');
  }

  function machinesRoute(
    app: FakeApp,
    method: string,
    id: string | undefined,
    action: string | undefined,
    query: URLSearchParams,
    body: unknown,
    send: (status: number, payload?: unknown) => void,
    fail: (status: number, error: string) => void,
  ) {
    if (!id) {
      if (method === 'GET') return send(200, listMachines(app, query));
      if (method === 'POST') return createMachine(app, body, send, fail);
      return fail(405, 'method not allowed');
    }
    const machine = app.machines.get(id);
    if (!machine) return fail(404, 'machine not found');
    if (!action && method === 'GET') return send(200, machine);
    if (machine.state === 'destroyed') return fail(404, 'machine not found');
    if (!action && method === 'DELETE') {
      const running = machine.state === 'started' || machine.state === 'starting';
      if (running && query.get('force') !== 'true') {
        return fail(412, 'failed_precondition: unable to destroy machine, not currently stopped or suspended');
      }
      machine.state = 'destroyed';
      machine.updated_at = iso();
      return send(200, { ok: true });
    }
    if (action === 'stop' && method === 'POST') {
      machine.state = 'stopping';
      if (progression === 'immediate') settle(machine, iso());
      return send(200, { ok: true });
    }
    if (action === 'start' && method === 'POST') {
      const previous = machine.state;
      machine.state = 'starting';
      if (progression === 'immediate') settle(machine, iso());
      return send(200, { previous_state: previous });
    }
    return fail(404, 'not found');
  }

  function listMachines(app: FakeApp, query: URLSearchParams): FakeMachine[] {
    const states = query.get('state')?.split(',');
    const metadata = [...query.entries()].filter(([key]) => key.startsWith('metadata.'));
    return [...app.machines.values()].filter(
      (m) =>
        (query.get('include_deleted') === 'true' || m.state !== 'destroyed') &&
        (!query.get('region') || m.region === query.get('region')) &&
        (!states || states.includes(m.state)) &&
        metadata.every(([key, value]) => m.config.metadata?.[key.slice('metadata.'.length)] === value),
    );
  }

  function createMachine(
    app: FakeApp,
    body: unknown,
    send: (status: number, payload?: unknown) => void,
    fail: (status: number, error: string) => void,
  ) {
    const request = (body ?? {}) as { name?: string; region?: string; config?: FakeMachine['config']; skip_launch?: boolean };
    const config = request.config;
    if (!config || typeof config !== 'object') return fail(400, 'invalid config: must not be empty');
    if (typeof config.image !== 'string' || config.image === '') return fail(400, 'invalid config.image: must not be empty');
    const guest = (config.guest ?? {}) as { cpus?: unknown; memory_mb?: unknown };
    if (guest.cpus !== undefined && !(Number.isInteger(guest.cpus) && (guest.cpus as number) > 0)) {
      return fail(400, 'invalid config.guest.cpus, must be a positive integer');
    }
    if (guest.memory_mb !== undefined && !(Number.isInteger(guest.memory_mb) && (guest.memory_mb as number) >= 256)) {
      return fail(400, 'invalid config.guest.memory_mb, minimum required 256 MiB');
    }
    const leak = secretIn(app, config);
    if (leak) {
      configLeaks.push(leak);
      return fail(400, `fake Fly: the machine config carries a secret value (${leak})`);
    }
    if (request.name && [...app.machines.values()].some((m) => m.name === request.name && m.state !== 'destroyed')) {
      return fail(409, `already_exists: machine with name ${request.name} already exists`);
    }
    const machine = newMachine({
      config,
      at: iso(),
      ...(request.name ? { name: request.name } : {}),
      ...(request.region ? { region: request.region } : {}),
    });
    app.machines.set(machine.id, machine);
    // Fly answers the create with the machine as created; it boots afterwards.
    send(200, structuredClone(machine));
    if (progression === 'immediate' && !request.skip_launch) settle(machine, iso());
  }

  /** Where `config` carries a forbidden value or one of the app's secret values, in any encoding. */
  function secretIn(app: FakeApp, config: FakeMachine['config']): string | undefined {
    const values = [...forbidden, ...[...app.secrets.values()].map((secret) => secret.value)];
    const carries = (text: string) => redactSecrets(text, values) !== text;
    const env = (config.env ?? {}) as Record<string, unknown>;
    for (const [name, value] of Object.entries(env))
      if (carries(typeof value === 'string' ? value : JSON.stringify(value))) return `env ${name}`;
    return carries(JSON.stringify({ ...config, env: undefined })) ? 'config' : undefined;
  }

  function secretsRoute(
    app: FakeApp,
    method: string,
    name: string | undefined,
    _query: URLSearchParams,
    body: unknown,
    send: (status: number, payload?: unknown) => void,
    fail: (status: number, error: string) => void,
  ) {
    const view = (s: { name: string; digest: string; created_at: string; updated_at: string }) => ({
      name: s.name,
      digest: s.digest,
      created_at: s.created_at,
      updated_at: s.updated_at,
    });
    const put = (secretName: string, value: string) => {
      const existing = app.secrets.get(secretName);
      const at = iso();
      const secret = {
        name: secretName,
        value,
        digest: secretDigest(value),
        created_at: existing?.created_at ?? at,
        updated_at: at,
      };
      app.secrets.set(secretName, secret);
      return secret;
    };
    if (!name) {
      if (method === 'GET') return send(200, { secrets: [...app.secrets.values()].map(view) });
      if (method === 'POST') {
        const values = (body as { values?: Record<string, string | null> } | undefined)?.values;
        if (!values || typeof values !== 'object') return fail(400, 'values are required');
        for (const [key, value] of Object.entries(values)) {
          if (!SECRET_NAME.test(key)) return fail(400, `invalid secret name ${JSON.stringify(key)}`);
          if (value === null) app.secrets.delete(key);
          else put(key, value);
        }
        app.secretsVersion += 1;
        return send(200, {
          secrets: [...app.secrets.values()].map(view),
          version: app.secretsVersion,
          Version: app.secretsVersion,
        });
      }
      return fail(405, 'method not allowed');
    }
    if (method === 'GET') {
      const secret = app.secrets.get(name);
      return secret ? send(200, view(secret)) : fail(404, 'secret not found');
    }
    if (method === 'POST') {
      if (!SECRET_NAME.test(name)) return fail(400, `invalid secret name ${JSON.stringify(name)}`);
      const value = (body as { value?: unknown } | undefined)?.value;
      if (typeof value !== 'string') return fail(400, 'value is required');
      const secret = put(name, value);
      app.secretsVersion += 1;
      return send(201, { ...view(secret), version: app.secretsVersion, Version: app.secretsVersion });
    }
    if (method === 'DELETE') {
      if (!app.secrets.delete(name)) return fail(404, 'secret not found');
      app.secretsVersion += 1;
      return send(200, { version: app.secretsVersion, Version: app.secretsVersion });
    }
    return fail(405, 'method not allowed');
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: `fake Fly crashed: ${String(error)}` }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const allMachines = (app?: string) =>
    app ? [...appOf(app).machines.values()] : [...apps.values()].flatMap((a) => [...a.machines.values()]);

  return {
    url: `http://127.0.0.1:${port}`,
    token,
    requests,
    machines: allMachines,
    machine: (id) => allMachines().find((m) => m.id === id),
    seedMachine(appName, input) {
      const at = new Date(input.createdAt ?? now()).toISOString();
      const machine = newMachine({
        config: { image: 'registry.fly.io/ai-implement-session:seed', metadata: input.metadata ?? {}, auto_destroy: true },
        at,
        state: input.state ?? 'started',
        ...(input.name ? { name: input.name } : {}),
      });
      appOf(appName).machines.set(machine.id, machine);
      return machine;
    },
    tick() {
      for (const machine of allMachines()) advance(machine, iso());
    },
    exit(machineId) {
      const machine = allMachines().find((m) => m.id === machineId);
      if (!machine) throw new Error(`fake Fly has no machine ${machineId}`);
      machine.state = 'stopping';
      settle(machine, iso());
    },
    forbidInConfig(...values) {
      for (const value of values) forbidden.add(value);
    },
    configLeaks,
    secretNames: (app = FAKE_FLY_APP) => [...appOf(app).secrets.keys()].sort(),
    secretValue: (name, app = FAKE_FLY_APP) => appOf(app).secrets.get(name)?.value,
    failNext(failure) {
      failures.push({ ...failure, left: failure.times ?? 1 });
    },
    setProgression(next) {
      progression = next;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
