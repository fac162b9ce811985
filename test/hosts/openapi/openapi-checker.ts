/**
 * A small structural check of an OpenAPI 3.0 document, enough to catch what hand-written
 * data gets wrong: the version, operations without answers, `$ref`s that point nowhere,
 * path templates and path parameters that disagree, duplicate operation ids, security
 * requirements naming no scheme, tags not declared, error examples that are not `{ error }`.
 * Returns the problems found, one line each; an empty list is a pass.
 */
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function pointer(doc: unknown, ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  let node: unknown = doc;
  for (const raw of ref.slice(2).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    node = isObject(node) ? node[key] : undefined;
  }
  return node;
}

export function checkOpenApi(doc: unknown): string[] {
  const problems: string[] = [];
  if (!isObject(doc)) return ['the document is not an object'];
  if (typeof doc.openapi !== 'string' || !/^3\.0\.\d+$/.test(doc.openapi)) problems.push(`openapi is ${String(doc.openapi)}`);
  const info = doc.info;
  if (!isObject(info) || typeof info.title !== 'string' || typeof info.version !== 'string')
    problems.push('info needs title and version');
  if (!isObject(doc.paths)) return [...problems, 'paths is missing'];

  // Every $ref anywhere resolves.
  const walk = (node: unknown, at: string): void => {
    if (Array.isArray(node)) {
      for (const [i, n] of node.entries()) walk(n, `${at}/${i}`);
    } else if (isObject(node)) {
      if (typeof node.$ref === 'string' && pointer(doc, node.$ref) === undefined)
        problems.push(`${at}: $ref ${node.$ref} does not resolve`);
      for (const [k, v] of Object.entries(node)) walk(v, `${at}/${k}`);
    }
  };
  walk(doc, '#');

  const components = isObject(doc.components) ? doc.components : {};
  const schemes = isObject(components.securitySchemes) ? components.securitySchemes : {};
  const declaredTags = new Set(Array.isArray(doc.tags) ? doc.tags.map((t) => (isObject(t) ? t.name : undefined)) : []);
  const checkSecurity = (security: unknown, at: string) => {
    if (security === undefined) return;
    if (!Array.isArray(security)) return problems.push(`${at}: security is not an array`);
    for (const requirement of security) {
      if (!isObject(requirement)) problems.push(`${at}: a security requirement is not an object`);
      else
        for (const name of Object.keys(requirement))
          if (!(name in schemes)) problems.push(`${at}: security scheme ${name} is not defined`);
    }
  };
  checkSecurity(doc.security, 'document');

  const operationIds = new Set<string>();
  for (const [path, item] of Object.entries(doc.paths)) {
    if (!path.startsWith('/')) problems.push(`${path}: a path must start with /`);
    if (!isObject(item)) {
      problems.push(`${path}: not a path item`);
      continue;
    }
    const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
    const ops = METHODS.filter((m) => item[m] !== undefined);
    if (ops.length === 0) problems.push(`${path}: no operations`);
    for (const method of ops) {
      const at = `${method.toUpperCase()} ${path}`;
      const op = item[method];
      if (!isObject(op)) {
        problems.push(`${at}: not an operation`);
        continue;
      }
      if (typeof op.operationId !== 'string') problems.push(`${at}: no operationId`);
      else if (operationIds.has(op.operationId)) problems.push(`${at}: duplicate operationId ${op.operationId}`);
      else operationIds.add(op.operationId);
      for (const tag of Array.isArray(op.tags) ? op.tags : [])
        if (!declaredTags.has(tag)) problems.push(`${at}: tag ${tag} not declared`);
      checkSecurity(op.security, at);

      const params = (Array.isArray(op.parameters) ? op.parameters : []).filter(isObject);
      const pathParams = params.filter((p) => p.in === 'path').map((p) => p.name);
      for (const name of templated) if (!pathParams.includes(name)) problems.push(`${at}: {${name}} has no path parameter`);
      for (const p of params) {
        if (!['path', 'query', 'header', 'cookie'].includes(String(p.in)))
          problems.push(`${at}: parameter ${String(p.name)} in ${String(p.in)}`);
        if (p.in === 'path' && (!templated.includes(String(p.name)) || p.required !== true))
          problems.push(`${at}: path parameter ${String(p.name)} must be in the template and required`);
        if (!isObject(p.schema)) problems.push(`${at}: parameter ${String(p.name)} has no schema`);
      }

      if (op.requestBody !== undefined && (!isObject(op.requestBody) || !isObject(op.requestBody.content)))
        problems.push(`${at}: requestBody without content`);

      if (!isObject(op.responses) || Object.keys(op.responses).length === 0) {
        problems.push(`${at}: no responses`);
        continue;
      }
      for (const [status, response] of Object.entries(op.responses)) {
        if (!/^([1-5]\d\d|[1-5]XX|default)$/.test(status)) problems.push(`${at}: response key ${status}`);
        if (!isObject(response) || typeof response.description !== 'string') {
          problems.push(`${at} ${status}: a response needs a description`);
          continue;
        }
        const media = isObject(response.content) ? response.content['application/json'] : undefined;
        if (Number(status) >= 400 && isObject(media) && isObject(media.examples)) {
          for (const [name, example] of Object.entries(media.examples)) {
            const value = isObject(example) ? example.value : undefined;
            if (!isObject(value) || typeof value.error !== 'string')
              problems.push(`${at} ${status}: example ${name} is not { error }`);
          }
        }
      }
    }
  }
  return problems;
}
