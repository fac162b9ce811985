// @ts-check
/**
 * The API explorer: loads /api/v1/openapi.json with the admin token the /admin page keeps in
 * sessionStorage (or one pasted here), lists the operations by tag with their parameters,
 * bodies and documented answers, and sends a request from the page. Built with the DOM API
 * only: the page's CSP allows no inline script or style and nothing from another origin.
 */
import { token } from '/admin/assets/api.js';

const DOC_URL = '/api/v1/openapi.json';
/** How long an event stream is read before the explorer stops and shows what arrived. */
const STREAM_PEEK_MS = 5000;
const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

/**
 * @param {string} tag
 * @param {Record<string, string>} [attrs]
 * @param {(Node | string)[]} children
 * @returns {HTMLElement}
 */
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

/** @param {unknown} value */
const pretty = (value) => JSON.stringify(value, null, 2);

/**
 * `schema` with every `$ref` replaced by its component, once per branch (a cycle stays a `$ref`).
 * @param {any} doc @param {any} schema @param {Set<string>} [seen]
 * @returns {any}
 */
function resolve(doc, schema, seen = new Set()) {
  if (Array.isArray(schema)) return schema.map((s) => resolve(doc, s, seen));
  if (!schema || typeof schema !== 'object') return schema;
  if (typeof schema.$ref === 'string') {
    if (seen.has(schema.$ref)) return schema;
    const name = schema.$ref.replace('#/components/schemas/', '');
    return resolve(doc, doc.components?.schemas?.[name], new Set([...seen, schema.$ref]));
  }
  return Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, resolve(doc, v, seen)]));
}

/**
 * A body to start editing from: every property with a placeholder of its type.
 * @param {any} schema @returns {unknown}
 */
function sample(schema) {
  if (!schema || typeof schema !== 'object') return null;
  if (schema.oneOf) return sample(schema.oneOf[0]);
  if (schema.enum) return schema.enum[0];
  switch (schema.type) {
    case 'object':
      return Object.fromEntries(Object.entries(schema.properties ?? {}).map(([k, v]) => [k, sample(v)]));
    case 'array':
      return [];
    case 'integer':
    case 'number':
      return schema.minimum ?? 0;
    case 'boolean':
      return false;
    case 'string':
      return '';
    default:
      return null;
  }
}

/** @param {string} [message] */
function askForToken(message = '') {
  const panel = /** @type {HTMLElement} */ (document.getElementById('token-panel'));
  panel.hidden = false;
  /** @type {HTMLElement} */ (document.getElementById('token-message')).textContent = message;
}

async function load() {
  const main = /** @type {HTMLElement} */ (document.getElementById('operations'));
  const bearer = token.get();
  if (!bearer) return askForToken();
  main.replaceChildren(el('p', { class: 'muted' }, 'Loading the API description…'));
  let res;
  try {
    res = await fetch(DOC_URL, { headers: { authorization: `Bearer ${bearer}` } });
  } catch {
    main.replaceChildren(el('p', { class: 'message' }, 'The orchestrator did not answer.'));
    return;
  }
  if (res.status === 401) {
    token.clear();
    main.replaceChildren();
    return askForToken('That token was refused (expired or revoked). Sign in again.');
  }
  if (!res.ok) {
    main.replaceChildren(el('p', { class: 'message' }, `Could not load ${DOC_URL}: HTTP ${res.status}`));
    return;
  }
  /** @type {HTMLElement} */ (document.getElementById('token-panel')).hidden = true;
  render(await res.json());
}

/** @param {any} doc */
function render(doc) {
  const main = /** @type {HTMLElement} */ (document.getElementById('operations'));
  /** @type {HTMLElement} */ (document.getElementById('doc-info')).textContent =
    `${doc.info?.title ?? ''} ${doc.info?.version ?? ''} · OpenAPI ${doc.openapi}`;
  /** @type {Map<string, { method: string, path: string, op: any }[]>} */
  const byTag = new Map((doc.tags ?? []).map((/** @type {any} */ t) => [t.name, []]));
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const method of METHODS) {
      const op = /** @type {any} */ (item)[method];
      if (!op) continue;
      const tag = op.tags?.[0] ?? 'Other';
      if (!byTag.has(tag)) byTag.set(tag, []);
      byTag.get(tag)?.push({ method, path, op });
    }
  }
  const sections = [];
  for (const [tag, ops] of byTag) {
    if (ops.length === 0) continue;
    const description = doc.tags?.find((/** @type {any} */ t) => t.name === tag)?.description;
    sections.push(
      el(
        'section',
        { class: 'tag', 'aria-label': tag },
        el('h2', {}, tag),
        ...(description ? [el('p', { class: 'muted' }, description)] : []),
        ...ops.map(({ method, path, op }) => operation(doc, method, path, op)),
      ),
    );
  }
  main.replaceChildren(...sections);
}

/**
 * One operation, its detail built when it is first opened.
 * @param {any} doc @param {string} method @param {string} path @param {any} op
 */
function operation(doc, method, path, op) {
  const details = el(
    'details',
    { class: 'op', id: op.operationId ?? `${method}-${path}` },
    el(
      'summary',
      {},
      el('span', { class: `method method-${method}` }, method),
      el('span', { class: 'path' }, path),
      el('span', { class: 'muted' }, op.summary ?? ''),
    ),
  );
  details.addEventListener('toggle', () => {
    if (/** @type {HTMLDetailsElement} */ (details).open && details.children.length === 1) {
      details.append(operationBody(doc, method, path, op));
    }
  });
  return details;
}

/** @param {any} doc @param {string} method @param {string} path @param {any} op */
function operationBody(doc, method, path, op) {
  const body = el('div', { class: 'op-body' });
  if (op.description) body.append(el('p', {}, op.description));
  const security = op.security ?? doc.security ?? [];
  const schemes = security.flatMap((/** @type {Record<string, unknown>} */ s) => Object.keys(s));
  body.append(
    el('p', { class: 'muted' }, `Credential: ${schemes.length ? schemes.join(' or ') : (op['x-credential'] ?? 'none')}`),
  );

  const params = op.parameters ?? [];
  if (params.length) {
    body.append(
      el('h3', {}, 'Parameters'),
      el(
        'table',
        {},
        el('tr', {}, el('th', {}, 'name'), el('th', {}, 'in'), el('th', {}, 'description')),
        ...params.map((/** @type {any} */ p) =>
          el(
            'tr',
            {},
            el('td', { class: 'path' }, p.name + (p.required ? ' *' : '')),
            el('td', {}, p.in),
            el('td', {}, p.description ?? ''),
          ),
        ),
      ),
    );
  }
  const requestSchema = op.requestBody?.content?.['application/json']?.schema;
  if (requestSchema) body.append(el('h3', {}, 'Request body'), el('pre', {}, pretty(resolve(doc, requestSchema))));

  body.append(el('h3', {}, 'Responses'));
  for (const [status, response] of Object.entries(op.responses ?? {})) {
    const r = /** @type {any} */ (response);
    const media = Object.entries(r.content ?? {})[0];
    const examples = Object.values(media?.[1]?.examples ?? {}).map((/** @type {any} */ e) => e.value);
    body.append(
      el('p', {}, el('strong', {}, status), ` ${r.description ?? ''}`),
      ...(examples.length ? [el('pre', {}, examples.map((v) => JSON.stringify(v)).join('\n'))] : []),
      ...(media && !examples.length ? [el('pre', {}, `${media[0]}\n${pretty(resolve(doc, media[1].schema))}`)] : []),
    );
  }
  body.append(tryIt(method, path, params, requestSchema ? resolve(doc, requestSchema) : undefined, schemes));
  return body;
}

/**
 * The "send a request" form.
 * @param {string} method @param {string} path @param {any[]} params @param {any} requestSchema @param {string[]} schemes
 */
function tryIt(method, path, params, requestSchema, schemes) {
  const form = el('form', { class: 'try' }, el('h3', {}, 'Send a request'));
  /** @type {Map<any, HTMLInputElement>} */
  const inputs = new Map();
  for (const p of params) {
    const id = `${method}-${path}-${p.name}`;
    const input = /** @type {HTMLInputElement} */ (el('input', { id, name: p.name }));
    if (p.required) input.required = true;
    inputs.set(p, input);
    form.append(el('label', { for: id }, `${p.name} (${p.in})`), input);
  }
  const auth = /** @type {HTMLInputElement} */ (el('input', { type: 'password', autocomplete: 'off' }));
  const admin = schemes.includes('adminBearer');
  auth.value = admin ? `Bearer ${token.get() ?? ''}` : '';
  auth.placeholder = admin ? 'Bearer <admin token>' : 'Bearer <run token or trigger secret>, if the operation takes one';
  form.append(el('label', {}, 'Authorization header', auth));
  /** @type {HTMLTextAreaElement | undefined} */
  let bodyInput;
  if (requestSchema) {
    bodyInput = /** @type {HTMLTextAreaElement} */ (el('textarea', { spellcheck: 'false' }));
    bodyInput.value = pretty(sample(requestSchema));
    form.append(el('label', {}, 'JSON body', bodyInput));
  }
  const output = el('div', { class: 'response', 'aria-live': 'polite' });
  form.append(el('button', { type: 'submit', class: 'primary' }, 'Send'), output);

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    let url = path;
    const query = new URLSearchParams();
    for (const [p, input] of inputs) {
      if (p.in === 'path') url = url.replace(`{${p.name}}`, encodeURIComponent(input.value));
      else if (p.in === 'query' && input.value !== '') query.set(p.name, input.value);
    }
    if (query.size) url += `?${query}`;
    /** @type {Record<string, string>} */
    const headers = {};
    if (auth.value.trim() && auth.value.trim() !== 'Bearer') headers.authorization = auth.value.trim();
    if (bodyInput) headers['content-type'] = 'application/json';
    output.replaceChildren(el('p', { class: 'muted' }, `${method.toUpperCase()} ${url} …`));
    output.replaceChildren(await send(method, url, headers, bodyInput?.value));
  });
  return form;
}

/**
 * @param {string} method @param {string} url @param {Record<string, string>} headers @param {string} [body]
 * @returns {Promise<HTMLElement>}
 */
async function send(method, url, headers, body) {
  const controller = new AbortController();
  const started = performance.now();
  try {
    const res = await fetch(url, { method: method.toUpperCase(), headers, body, signal: controller.signal });
    const type = res.headers.get('content-type') ?? '';
    let text;
    if (type.startsWith('text/event-stream')) {
      setTimeout(() => controller.abort(), STREAM_PEEK_MS);
      text = await peek(res);
    } else {
      text = await res.text();
      if (type.includes('json')) {
        try {
          text = pretty(JSON.parse(text));
        } catch {}
      }
    }
    const ms = Math.round(performance.now() - started);
    return el(
      'div',
      {},
      el('p', {}, el('strong', { class: res.ok ? 'status-ok' : 'status-bad' }, `HTTP ${res.status}`), ` ${type} · ${ms} ms`),
      el('pre', {}, text),
    );
  } catch (error) {
    return el('p', { class: 'message' }, `The request failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** What an event stream sends before the peek is aborted. @param {Response} res */
async function peek(res) {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
  } catch {
    text += `\n(stopped reading after ${STREAM_PEEK_MS / 1000} s)`;
  }
  return text;
}

document.addEventListener('DOMContentLoaded', () => {
  document.getElementById('token-form')?.addEventListener('submit', (e) => {
    e.preventDefault();
    const input = /** @type {HTMLInputElement} */ (document.getElementById('token-input'));
    const value = input.value.trim().replace(/^Bearer\s+/i, '');
    if (!value) return;
    token.set(value);
    input.value = '';
    void load();
  });
  void load();
});
