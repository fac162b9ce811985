import { errAsync, okAsync } from 'neverthrow';
import { describe, expect, it } from 'vitest';
import { createTicketingRegistry } from '../../core/app/issues/ticketing-registry.js';
import { createLogExcerptPoster } from '../../core/app/runs/log-excerpt.js';
import type { Storage } from '../../ports/storage.port.js';
import type { Ticketing } from '../../ports/ticketing.port.js';
import { job, mapping, T0 } from '../core/fixtures.js';

function poster(commentResult: 'ok' | 'fail' = 'ok') {
  const comments: { issueId: string; body: string }[] = [];
  const warnings: string[] = [];
  const ticketing = {
    comment: (issueId: string, body: string) => {
      comments.push({ issueId, body });
      return commentResult === 'ok' ? okAsync(undefined) : errAsync({ kind: 'unavailable', message: 'down' });
    },
  } as unknown as Ticketing;
  const mappings = new Map([['ENG', mapping({ teamKey: 'ENG', ticketing: 'linear' })]]);
  const post = createLogExcerptPoster({
    storage: { mappings: { get: async (k: string) => mappings.get(k) } } as unknown as Pick<Storage, 'mappings'>,
    clock: { now: () => T0 },
    logger: { info() {}, warn: (m) => void warnings.push(m), error() {} },
    ticketingRegistry: createTicketingRegistry({ linear: ticketing }),
    runSecrets: { valuesFor: async () => ['tok-result-secret-value'] },
  });
  return { post, comments, warnings };
}

describe('log excerpt of a failed run', () => {
  it('posts the labelled tail on the job’s ticket with the run’s secrets redacted', async () => {
    const { post, comments } = poster();
    await post(job({ id: 'j1', issueId: 'issue-1' }), 'container_failed', 'boom tok-result-secret-value END');
    expect(comments).toHaveLength(1);
    expect(comments[0]?.issueId).toBe('issue-1');
    expect(comments[0]?.body).toMatch(/^📋 Log excerpt \(container_failed\)/);
    expect(comments[0]?.body).toContain('END');
    expect(comments[0]?.body).not.toContain('tok-result-secret-value');
  });

  it('posts nothing for a team without a mapping, and warns when the ticket refuses it', async () => {
    const gone = poster();
    await gone.post(job({ id: 'j2', issueId: 'i', teamKey: 'GONE' }), 'session_failed', 'x');
    expect(gone.comments).toEqual([]);
    const down = poster('fail');
    await down.post(job({ id: 'j3', issueId: 'i' }), 'session_failed', 'x');
    expect(down.warnings).toEqual(['log excerpt not posted']);
  });
});
