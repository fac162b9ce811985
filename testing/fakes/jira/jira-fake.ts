import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { adfToText, isAdfDocument } from './jira-adf.js';
import { type JqlNode, type JqlQuery, JqlSyntaxError, type Operand, parseJql } from './jira-jql.js';
import { matches, sortIssues, validateQuery } from './jira-jql-eval.js';
import { JiraRenderer } from './jira-render.js';
import { JiraStore } from './jira-store.js';

/**
 * A wire-level fake of Jira Cloud REST v3 on 127.0.0.1: the endpoints the jira adapter and the
 * Jira admin service call, answering with Jira's shapes, paging and error bodies
 * (`{ errorMessages, errors }`), checking basic auth (email:API token), and failing on demand
 * (429 with Retry-After, 5xx, 401, a dropped connection). Every request is recorded.
 */

export interface FakeJiraOptions {
  email?: string;
  apiToken?: string;
  repoOptions?: string[];
  projects?: string[];
  now?: () => number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
  status: number;
}

/** `hang`: the request is read and never answered (until the fake closes); recorded with status 0. */
export type FailureKind = 'rateLimited' | 'serverError' | 'auth' | 'forbidden' | 'network' | 'hang';

export interface FailureOptions {
  /** How many consecutive requests fail (default 1). */
  times?: number;
  /**
   * Seconds for the Retry-After header of a 429 (default 1), and of a `serverError` when given:
   * Jira Cloud answers 503 with Retry-After when a resource limit is reached.
   */
  retryAfterSeconds?: number;
  /** The status of a `serverError` (default 500). */
  status?: number;
  /** `serverError` only: do the work, then answer 5xx anyway (the request took effect). */
  afterHandling?: boolean;
  /** Only requests whose `METHOD /path` matches fail (default: the next requests, whatever they are). */
  match?: RegExp;
}

export interface FakeJira {
  readonly url: string;
  readonly email: string;
  readonly apiToken: string;
  readonly store: JiraStore;
  readonly requests: RecordedRequest[];
  /** Requests received, optionally only those whose `METHOD path` matches. */
  requestCount(match?: RegExp): number;
  resetRequests(): void;
  failNext(kind: FailureKind, options?: FailureOptions): void;
  /** The plain text of an issue's comments, oldest first. */
  commentTexts(idOrKey: string): string[];
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(`HTTP ${status}`);
  }
}

const errorBody = (errorMessages: string[], errors: Record<string, string> = {}) => ({ errorMessages, errors });
const badRequest = (...messages: string[]) => new HttpError(400, errorBody(messages));
const ISSUE_NOT_FOUND = () => new HttpError(404, errorBody(['Issue does not exist or you do not have permission to see it.']));
const SEARCH_FIELDS_LIMIT = 100;
const SEARCH_IDS_LIMIT = 5000;

function paged<T>(all: T[], query: URLSearchParams, defaultMax: number) {
  const startAt = Number(query.get('startAt') ?? 0);
  const maxResults = Number(query.get('maxResults') ?? defaultMax);
  const values = all.slice(startAt, startAt + maxResults);
  return { maxResults, startAt, total: all.length, isLast: startAt + values.length >= all.length, values };
}

function structure(query: JqlQuery) {
  const operand = (o: Operand) =>
    o.kind === 'value'
      ? { value: o.value, encodedValue: o.quoted ? JSON.stringify(o.value) : o.value }
      : o.kind === 'list'
        ? { values: o.values.map((v) => ({ value: v.value, encodedValue: v.quoted ? JSON.stringify(v.value) : v.value })) }
        : o.kind === 'empty'
          ? { keyword: 'empty' }
          : { function: o.name, arguments: o.args };
  const node = (n: JqlNode): unknown =>
    n.kind === 'term'
      ? {
          field: { name: n.field, encodedName: /\s/.test(n.field) ? JSON.stringify(n.field) : n.field },
          operator: n.operator,
          operand: operand(n.operand),
        }
      : n.kind === 'not'
        ? { operator: 'not', clauses: [node(n.clause)] }
        : { operator: n.kind, clauses: n.clauses.map(node) };
  return {
    ...(query.where ? { where: node(query.where) } : {}),
    ...(query.orderBy.length
      ? {
          orderBy: {
            fields: query.orderBy.map((o) => ({ field: { name: o.field, encodedName: o.field }, direction: o.direction })),
          },
        }
      : {}),
  };
}

export async function startFakeJira(options: FakeJiraOptions = {}): Promise<FakeJira> {
  const email = options.email ?? 'bot@example.com';
  const apiToken = options.apiToken ?? 'jira-api-token';
  const expectedAuth = `Basic ${Buffer.from(`${email}:${apiToken}`).toString('base64')}`;
  const store = new JiraStore(options.now ?? Date.now, options.repoOptions, options.projects);
  const requests: RecordedRequest[] = [];
  const failures: { kind: FailureKind; options: FailureOptions }[] = [];
  const pageTokens = new Map<string, { jql: string; offset: number }>();
  let render: JiraRenderer;
  let nextCommentId = 30001;

  const search = (jql: string, fieldList: string[] | undefined, maxParam: unknown, token: unknown) => {
    let query: JqlQuery;
    try {
      query = parseJql(jql);
    } catch (e) {
      if (e instanceof JqlSyntaxError) throw badRequest(e.message);
      throw e;
    }
    const errors = validateQuery(query, store);
    if (errors.length) throw badRequest(...errors);
    if (!query.where)
      throw badRequest('Unbounded JQL queries are not allowed here. Please add a search restriction to your query.');
    const onlyIds = !fieldList || fieldList.every((f) => f === 'id' || f === 'key');
    const requested = maxParam === undefined || maxParam === null ? 50 : Number(maxParam);
    if (!Number.isInteger(requested) || requested < 0) throw badRequest(`The value '${maxParam}' is invalid for maxResults.`);
    const maxResults = Math.min(requested, onlyIds ? SEARCH_IDS_LIMIT : SEARCH_FIELDS_LIMIT);
    let offset = 0;
    if (token !== undefined && token !== null && token !== '') {
      const page = pageTokens.get(String(token));
      if (!page || page.jql !== jql) throw badRequest('The provided next page token is invalid or expired.');
      offset = page.offset;
    }
    const hits = sortIssues(
      [...store.issues.values()].filter((i) => matches(query.where, i, store)),
      query.orderBy,
      store,
    );
    const pageIssues = hits.slice(offset, offset + maxResults);
    const isLast = offset + pageIssues.length >= hits.length;
    const body: Record<string, unknown> = {
      issues: pageIssues.map((i) => (fieldList ? render.issue(i, fieldList) : { id: i.id })),
      isLast,
    };
    // Jira leaves `nextPageToken` out of the last page (JRACLOUD-92184) rather than sending null.
    if (!isLast) {
      const next = randomBytes(12).toString('base64url');
      pageTokens.set(next, { jql, offset: offset + pageIssues.length });
      body.nextPageToken = next;
    }
    return body;
  };

  const listFields = (query: URLSearchParams): string[] | undefined => {
    const all = query
      .getAll('fields')
      .flatMap((f) => f.split(','))
      .map((f) => f.trim())
      .filter(Boolean);
    return all.length ? all : undefined;
  };

  const customField = (fieldId: string) => {
    const field = store.field(fieldId);
    if (!field?.custom) throw new HttpError(404, errorBody(['The custom field was not found.']));
    return field;
  };

  // biome-ignore lint/suspicious/noExplicitAny: a request body is whatever the client sent; each route checks what it reads
  const route = (method: string, path: string, query: URLSearchParams, body: any): { status: number; body?: unknown } => {
    const issueMatch = /^\/rest\/api\/3\/issue\/([^/]+)(\/transitions|\/comment)?$/.exec(path);
    const contextMatch = /^\/rest\/api\/3\/field\/([^/]+)\/context(?:\/([^/]+)\/option)?$/.exec(path);

    if (path === '/rest/api/3/search/jql' && method === 'GET') {
      return {
        status: 200,
        body: search(query.get('jql') ?? '', listFields(query), query.get('maxResults') ?? undefined, query.get('nextPageToken')),
      };
    }
    if (path === '/rest/api/3/search/jql' && method === 'POST') {
      const fields = Array.isArray(body?.fields) ? (body.fields as string[]) : undefined;
      return { status: 200, body: search(String(body?.jql ?? ''), fields, body?.maxResults, body?.nextPageToken) };
    }
    if (issueMatch) {
      const issue = store.issue(decodeURIComponent(issueMatch[1] as string));
      if (!issue) throw ISSUE_NOT_FOUND();
      const sub = issueMatch[2];
      if (!sub && method === 'GET') return { status: 200, body: render.issue(issue, listFields(query) ?? ['*all']) };
      if (sub === '/transitions' && method === 'GET') {
        return {
          status: 200,
          body: { expand: 'transitions', transitions: store.availableTransitions(issue).map((t) => render.transition(t)) },
        };
      }
      if (sub === '/transitions' && method === 'POST') {
        const id = body?.transition?.id;
        if (id === undefined) throw new HttpError(400, errorBody([], { transition: 'Transition id is required.' }));
        const transition = store.availableTransitions(issue).find((t) => t.id === String(id));
        if (!transition) throw badRequest(`Transition id '${id}' is not valid for this issue.`);
        store.setStatus(issue.id, transition.to);
        return { status: 204 };
      }
      if (sub === '/comment' && method === 'POST') {
        if (!isAdfDocument(body?.body)) {
          throw new HttpError(
            400,
            errorBody([], { comment: 'Operation value must be an Atlassian Document (see the Atlassian Document Format)' }),
          );
        }
        if (!adfToText(body.body).trim()) throw new HttpError(400, errorBody([], { comment: 'Comment body can not be empty!' }));
        const comment = { id: String(nextCommentId++), body: body.body, created: store.now() };
        issue.comments.push(comment);
        issue.updated = comment.created;
        return { status: 201, body: render.comment(issue, comment) };
      }
      if (sub === '/comment' && method === 'GET') {
        const ordered = query.get('orderBy') === '-created' ? [...issue.comments].reverse() : issue.comments;
        const page = paged(ordered, query, 5000);
        return {
          status: 200,
          body: {
            startAt: page.startAt,
            maxResults: page.maxResults,
            total: page.total,
            comments: page.values.map((c) => render.comment(issue, c)),
          },
        };
      }
    }
    if (path === '/rest/api/3/field' && method === 'GET') return { status: 200, body: store.fields.map((f) => render.field(f)) };
    if (contextMatch && method === 'GET') {
      const field = customField(decodeURIComponent(contextMatch[1] as string));
      const contexts = field.contexts ?? [];
      if (!contextMatch[2]) {
        const values = contexts.map((c) => ({
          id: c.id,
          name: c.name,
          description: '',
          isGlobalContext: true,
          isAnyIssueType: true,
        }));
        return { status: 200, body: paged(values, query, 50) };
      }
      const context = contexts.find((c) => c.id === contextMatch[2]);
      if (!context) throw new HttpError(404, errorBody(['The context was not found.']));
      if (!context.options) throw badRequest("The custom field doesn't support options.");
      return { status: 200, body: paged(context.options, query, 100) };
    }
    if (path === '/rest/api/3/jql/parse' && method === 'POST') {
      if (!Array.isArray(body?.queries)) throw new HttpError(400, errorBody([], { queries: 'Queries must be provided.' }));
      const queries = (body.queries as unknown[]).map((q) => {
        const text = String(q);
        try {
          const parsed = parseJql(text);
          const errors = query.get('validation') === 'none' ? [] : validateQuery(parsed, store);
          return errors.length ? { query: text, errors } : { query: text, structure: structure(parsed) };
        } catch (e) {
          if (e instanceof JqlSyntaxError) return { query: text, errors: [e.message] };
          throw e;
        }
      });
      return { status: 200, body: { queries } };
    }
    throw new HttpError(404, errorBody([`null for uri: ${path}`]));
  };

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, body === undefined ? headers : { 'content-type': 'application/json;charset=UTF-8', ...headers });
    res.end(body === undefined ? undefined : JSON.stringify(body));
  };

  const injected = (res: ServerResponse, record: RecordedRequest, handled: boolean): number | undefined => {
    const index = failures.findIndex((f) => !f.options.match || f.options.match.test(`${record.method} ${record.path}`));
    const failure = failures[index];
    if (!failure || (failure.options.afterHandling === true) !== handled) return undefined;
    failure.options.times = (failure.options.times ?? 1) - 1;
    if (failure.options.times <= 0) failures.splice(index, 1);
    switch (failure.kind) {
      case 'rateLimited': {
        const seconds = failure.options.retryAfterSeconds ?? 1;
        send(res, 429, errorBody(['Rate limit exceeded.']), {
          'retry-after': String(seconds),
          'x-ratelimit-reset': `${new Date(store.now() + seconds * 1000).toISOString().slice(0, 16)}Z`,
          'ratelimit-reason': 'jira-burst-based',
        });
        return 429;
      }
      case 'serverError': {
        const status = failure.options.status ?? 500;
        const seconds = failure.options.retryAfterSeconds;
        send(res, status, errorBody(['Internal server error']), seconds === undefined ? {} : { 'retry-after': String(seconds) });
        return status;
      }
      case 'auth':
        send(res, 401, errorBody(['Client must be authenticated to access this resource.']), {
          'www-authenticate': 'Basic realm="protected-area"',
        });
        return 401;
      case 'forbidden':
        send(res, 403, errorBody(['You do not have permission to perform this operation.']));
        return 403;
      case 'network':
        res.socket?.destroy();
        return 0;
      case 'hang':
        return 0;
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const record: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      body: undefined,
      status: 0,
    };
    requests.push(record);
    try {
      if (raw) {
        try {
          record.body = JSON.parse(raw);
        } catch {
          throw badRequest('Unexpected character in JSON payload.');
        }
      }
      const failed = injected(res, record, false);
      if (failed !== undefined) {
        record.status = failed;
        return;
      }
      if (req.headers.authorization !== expectedAuth) {
        throw new HttpError(401, errorBody(['Client must be authenticated to access this resource.']), {
          'www-authenticate': 'Basic realm="protected-area"',
        });
      }
      const result = route(record.method, url.pathname, url.searchParams, record.body);
      const late = injected(res, record, true);
      record.status = late ?? result.status;
      if (late === undefined) send(res, result.status, result.body);
    } catch (e) {
      if (!(e instanceof HttpError)) throw e;
      record.status = e.status;
      send(res, e.status, e.body, e.headers);
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) send(res, 500, errorBody([String(e)]));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  render = new JiraRenderer(store, url);

  return {
    url,
    email,
    apiToken,
    store,
    requests,
    requestCount: (match) => (match ? requests.filter((r) => match.test(`${r.method} ${r.path}`)).length : requests.length),
    resetRequests: () => {
      requests.length = 0;
    },
    failNext: (kind, failureOptions = {}) => {
      failures.push({ kind, options: { ...failureOptions } });
    },
    commentTexts: (idOrKey) => store.issue(idOrKey)?.comments.map((c) => adfToText(c.body)) ?? [],
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}
