import { createPublicKey, type KeyObject, verify } from 'node:crypto';

export type JwtCheck = { ok: true; appId: string } | { ok: false; message: string };

const looksLikeJwt = (token: string) => /^[\w-]+\.[\w-]+\.[\w-]*$/.test(token);

function decodePart(part: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null ? value : undefined;
  } catch {
    return undefined;
  }
}

export function isJwt(token: string): boolean {
  return looksLikeJwt(token);
}

/**
 * Checks a GitHub App JWT the way GitHub does: RS256 signed by the app's key, `iss` naming a
 * registered app, `iat` not in the future, `exp` in the future and at most ten minutes after
 * `iat`. The messages are GitHub's own.
 */
export function verifyAppJwt(token: string, publicKeys: Map<string, KeyObject>, nowMs: number): JwtCheck {
  const undecodable: JwtCheck = { ok: false, message: 'A JSON web token could not be decoded' };
  const [h, p, s] = token.split('.');
  if (h === undefined || p === undefined || s === undefined) return undecodable;
  const header = decodePart(h);
  const payload = decodePart(p);
  if (!header || !payload || header.alg !== 'RS256') return undecodable;
  const appId = String(payload.iss ?? '');
  const key = publicKeys.get(appId);
  if (!key) return { ok: false, message: 'Integration not found' };
  const signed = verify('RSA-SHA256', Buffer.from(`${h}.${p}`), key, Buffer.from(s, 'base64url'));
  if (!signed) return undecodable;
  const now = Math.floor(nowMs / 1000);
  const { iat, exp } = payload;
  if (typeof iat !== 'number' || !Number.isInteger(iat) || iat > now + 60) {
    return {
      ok: false,
      message: "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued",
    };
  }
  if (typeof exp !== 'number' || exp <= now) {
    return {
      ok: false,
      message:
        "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires",
    };
  }
  if (exp - iat > 600 || exp > now + 600 + 60) {
    return { ok: false, message: "'Expiration time' claim ('exp') is too far in the future" };
  }
  return { ok: true, appId };
}

export function publicKeyFrom(pem: string | KeyObject): KeyObject {
  return typeof pem === 'string' ? createPublicKey(pem) : pem;
}
