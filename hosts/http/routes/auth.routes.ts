import { err, ok } from 'neverthrow';
import { z } from 'zod';
import type { AuditService } from '../../../core/app/operations/audit.service.js';
import type { SecurityEventsService } from '../../../core/app/operations/security-events.service.js';
import { type AdminAuthService, bearerToken } from '../admin-auth.service.js';
import type { AuthThrottle } from '../auth-throttle.js';
import { clientOf } from '../client-address.js';
import { routesFor } from '../route.js';
import { isoTime } from '../schemas/components.schema.js';
import type { TrustedProxies } from '../trusted-proxies.js';

export interface AuthRoutesDeps {
  adminAuth: AdminAuthService;
  authThrottle: AuthThrottle;
  audit: Pick<AuditService, 'record'>;
  securityEvents: Pick<SecurityEventsService, 'signal'>;
  trustedProxies: TrustedProxies;
}

/**
 * The access code arrives as `code` (or `accessCode`, which earlier clients sent). A code that
 * is missing or not a string is a code that does not match (403): the spec keeps 400 for a
 * body that is not a JSON object.
 */
export const LoginBody = z.object({
  code: z.string().optional().catch(undefined),
  accessCode: z.string().optional().catch(undefined),
});

const route = routesFor<AuthRoutesDeps>();

/**
 * `POST /api/auth`: the access code for a bearer token valid 24 hours. A client (by address)
 * that sent 5 wrong codes within a minute is locked out (429 `Too many attempts` with
 * Retry-After) before its code is even looked at, for longer at each lockout (auth-throttle.ts).
 * `DELETE /api/auth` ends the bearer's own session on the server; `POST /api/auth/revoke-all` ends every session.
 */
export const authRoutes = [
  route({
    method: 'post',
    path: '/api/auth',
    operationId: 'login',
    tag: 'Admin auth',
    summary: 'Exchange the admin access code for a bearer token valid 24 hours',
    description:
      'The only admin endpoint without a bearer token. `accessCode` is accepted for earlier clients. Five wrong codes from one address within a minute lock that address out (429 with Retry-After), longer at each lockout.',
    body: { schema: LoginBody, read: 'object' },
    responses: { 200: z.object({ token: z.string(), expiresAt: isoTime() }) },
    errors: [{ kind: 'invalidBody' }, { kind: 'badAccessCode' }, { kind: 'tooManyAttempts', retryAfterMs: 60_000 }],
    handler: async ({ event, body }, { adminAuth, authThrottle, audit, securityEvents, trustedProxies }) => {
      const client = clientOf(event, trustedProxies);
      const waitMs = await authThrottle.lockedFor(client);
      if (waitMs !== undefined) return err({ kind: 'tooManyAttempts' as const, retryAfterMs: waitMs });
      const login = await adminAuth.login(body.code ?? body.accessCode ?? '');
      // The address only: never the code sent nor the token given.
      const action = login.isOk() ? 'auth.signed_in' : 'auth.sign_in_failed';
      await audit.record({ actor: 'operator', action, detail: { client } });
      if (login.isOk()) await authThrottle.succeeded(client);
      else if (login.error.kind === 'badAccessCode') {
        securityEvents.signal({ kind: 'sign_in_failed', source: client, route: 'POST /api/auth' });
        const refusedMs = await authThrottle.failed(client);
        if (refusedMs !== undefined) return err({ kind: 'tooManyAttempts' as const, retryAfterMs: refusedMs });
      }
      return login.map(({ token, expiresAt }) => ({ token, expiresAt: new Date(expiresAt).toISOString() }));
    },
  }),
  route({
    method: 'delete',
    path: '/api/auth',
    operationId: 'logout',
    tag: 'Admin auth',
    summary: 'Sign out: end the bearer token’s session on the server',
    description: 'The token stops working at once, on every replica. 401 when it is not a live session.',
    responses: { 200: z.object({ signedOut: z.literal(true) }) },
    errors: [{ kind: 'unauthorized' }],
    handler: async ({ event }, { adminAuth }) => {
      const token = bearerToken(event.req.headers.get('authorization'));
      return token && (await adminAuth.logout(token)) ? ok({ signedOut: true as const }) : err({ kind: 'unauthorized' as const });
    },
  }),
  route({
    method: 'post',
    path: '/api/auth/revoke-all',
    operationId: 'revokeAllSessions',
    tag: 'Admin auth',
    summary: 'End every admin session, this one included',
    responses: { 200: z.object({ revoked: z.number().int() }) },
    errors: [],
    handler: async (_input, { adminAuth }) => ok({ revoked: await adminAuth.revokeAll() }),
  }),
];
