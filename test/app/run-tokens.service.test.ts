import { describe, expect, it } from 'vitest';
import { createHmacSigner, createHmacSigning, deriveKey } from '../../adapters/system/hmac-signer.adapter.js';
import { createRunTokensService, PROGRESS_AUDIENCE, RESULT_AUDIENCE } from '../../core/app/runs/run-tokens.service.js';
import type { Storage } from '../../ports/storage.port.js';

const SECRET = 'runner-token-secret-for-unit-tests-0123';
const NOW = 1_700_000_000_000;

/** A token as the orchestrator has always minted it: Buffer's base64url claims, HMAC by deriveKey. */
function minted(claims: Record<string, unknown>, secret = SECRET): string {
  const body = `ait1.${Buffer.from(JSON.stringify(claims), 'utf8').toString('base64url')}`;
  return `${body}.${createHmacSigner(deriveKey(secret, 'ai-implement', 'run-token')).sign(body)}`;
}

const claims = { kind: 'result', jti: 'j1', jobId: 'job-1', phase: 'implementation', aud: [RESULT_AUDIENCE], exp: NOW + 60_000 };

// `verify` reads no storage: a token carries everything it needs.
const tokens = createRunTokensService({
  config: { runnerTokenSecret: SECRET },
  storage: {} as Storage,
  clock: { now: () => NOW },
  ids: { newId: () => 'id', randomToken: () => 'token' },
  signing: createHmacSigning(),
});

describe('run tokens through the Signing port', () => {
  it('accepts a token minted the way earlier releases minted it, with its claims', () => {
    expect(tokens.verify(`Bearer ${minted(claims)}`, RESULT_AUDIENCE)._unsafeUnwrap()).toEqual(claims);
  });

  it('refuses another secret, another audience, an expired token and garbage, each with its code', () => {
    expect(tokens.verify(`Bearer ${minted(claims, 'another-secret')}`, RESULT_AUDIENCE)._unsafeUnwrapErr()).toBe('bad_signature');
    expect(tokens.verify(`Bearer ${minted(claims)}`, PROGRESS_AUDIENCE)._unsafeUnwrapErr()).toBe('wrong_audience');
    expect(tokens.verify(`Bearer ${minted({ ...claims, exp: NOW })}`, RESULT_AUDIENCE)._unsafeUnwrapErr()).toBe('expired');
    expect(tokens.verify('Bearer ait1.%%%.sig', RESULT_AUDIENCE)._unsafeUnwrapErr()).toBe('malformed');
    expect(tokens.verify(null, RESULT_AUDIENCE)._unsafeUnwrapErr()).toBe('missing_bearer');
  });
});
