import { randomBytes, randomUUID } from 'node:crypto';
import type { Ids } from '../../ports/ids.port.js';

/** Ids from node:crypto: v4 UUIDs and base64url random tokens. */
export function createCryptoIds(): Ids {
  return {
    newId: () => randomUUID(),
    randomToken: (bytes = 32) => randomBytes(bytes).toString('base64url'),
  };
}
