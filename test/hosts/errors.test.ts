import { describe, expect, it } from 'vitest';
import { errorResponse, fromFrameworkStatus, type HttpError, httpStatusOf } from '../../hosts/http/errors.js';

describe('the HTTP error table', () => {
  it.each<[HttpError, number, Record<string, unknown>]>([
    [{ kind: 'invalidBody' }, 400, { error: 'Invalid request body' }],
    [{ kind: 'invalidBody', message: 'Invalid JSON body' }, 400, { error: 'Invalid JSON body' }],
    [{ kind: 'invalid', message: 'defaultBranch is required' }, 400, { error: 'defaultBranch is required' }],
    [{ kind: 'invalidPayload' }, 400, { error: 'Invalid JSON payload' }],
    [{ kind: 'unauthorized' }, 401, { error: 'Unauthorized' }],
    [{ kind: 'badSignature', message: 'Invalid signature' }, 401, { error: 'Invalid signature' }],
    [{ kind: 'badAccessCode' }, 403, { error: 'Invalid access code' }],
    [{ kind: 'notFound' }, 404, { error: 'Not found' }],
    [{ kind: 'teamNotFound' }, 404, { error: 'Team not found' }],
    [{ kind: 'issueNotFound' }, 404, { error: 'Issue not found' }],
    [{ kind: 'notDeleted' }, 404, { deleted: false }],
    [{ kind: 'methodNotAllowed' }, 405, { error: 'Method not allowed' }],
    [{ kind: 'tooLarge' }, 413, { error: 'Request body too large' }],
    [{ kind: 'rateLimited', retryAfterMs: 1500 }, 429, { error: 'Too many requests' }],
    [{ kind: 'requestFailed', message: 'Jira said no' }, 500, { error: 'Jira said no' }],
    [{ kind: 'internal' }, 500, { error: 'Internal server error' }],
    [{ kind: 'notConfigured', message: 'Jira not configured' }, 501, { error: 'Jira not configured' }],
    [{ kind: 'upstream', message: 'Linear is down' }, 502, { error: 'Linear is down' }],
  ])('%j → %i %j', async (error, status, body) => {
    const res = errorResponse(error);
    expect(res.status).toBe(status);
    expect(httpStatusOf(error)).toBe(status);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await res.json()).toEqual(body);
  });

  it('rounds Retry-After up to whole seconds, at least one', () => {
    expect(errorResponse({ kind: 'rateLimited', retryAfterMs: 1500 }).headers.get('retry-after')).toBe('2');
    expect(errorResponse({ kind: 'rateLimited', retryAfterMs: 0 }).headers.get('retry-after')).toBe('1');
  });

  it('maps framework statuses onto the table', () => {
    expect(fromFrameworkStatus(404)).toEqual({ kind: 'notFound' });
    expect(fromFrameworkStatus(413)).toEqual({ kind: 'tooLarge' });
    expect(httpStatusOf(fromFrameworkStatus(400))).toBe(400);
    expect(httpStatusOf(fromFrameworkStatus(503))).toBe(500);
  });
});

describe('the library entry', () => {
  it('exports createCore, loadConfig, the domain and awilix resolvers; the h3 entry builds the server', async () => {
    const lib = await import('../../index.js');
    const h3 = await import('../../hosts/entries/h3.js');
    expect(typeof lib.createCore).toBe('function');
    expect(typeof lib.loadConfig).toBe('function');
    expect(typeof lib.validateMappingInput).toBe('function');
    expect(typeof lib.teamSecretName).toBe('function');
    expect(typeof lib.asValue).toBe('function');
    expect(lib.DISPATCH_LOG_LIMIT).toBe(500);
    const o = await h3.createOrchestrator(lib.loadConfig({ STORAGE_URL: 'memory:' })._unsafeUnwrap());
    expect((await o.request('/healthz')).status).toBe(200);
    await o.dispose();
  });
});
