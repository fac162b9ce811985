import type { H3 } from 'h3';
import { z } from 'zod';
import type { AdminAuthService } from '../admin-auth.service.js';
import { readJsonObject } from '../body.js';
import { errorResponse, json } from '../errors.js';

export interface AuthRoutesDeps {
  adminAuth: AdminAuthService;
}

/** The access code arrives as `code` (or `accessCode`, which earlier clients sent). */
export const LoginBody = z.object({
  code: z.string().optional().catch(undefined),
  accessCode: z.string().optional().catch(undefined),
});

/** `POST /api/auth`: the access code for a bearer token valid 24 hours. */
export function authRoutes(app: H3, { adminAuth }: AuthRoutesDeps): void {
  app.post('/api/auth', async (event) => {
    const body = await readJsonObject(event);
    if (body.isErr()) return errorResponse(body.error);
    // A JSON object whose code is missing or not a string is a code that does not match (403):
    // the spec keeps 400 for a body that does not parse.
    const parsed = LoginBody.safeParse(body.value);
    const code = parsed.success ? (parsed.data.code ?? parsed.data.accessCode) : undefined;
    const session = await adminAuth.login(code ?? '');
    return session.match(({ token, expiresAt }) => json({ token, expiresAt: new Date(expiresAt).toISOString() }), errorResponse);
  });
}
