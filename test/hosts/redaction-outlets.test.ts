import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createInProcessEventBus } from '../../adapters/event-bus/in-process.adapter.js';
import type { CoreSettings } from '../../core/app/core-settings.js';
import { createEventsService, type WireEvent } from '../../core/app/views/events.service.js';
import { createLogger } from '../../hosts/logger.js';
import { leakedIn } from '../security/leak-detector.js';

const PEM = [
  '-----BEGIN RSA PRIVATE KEY-----',
  'MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun',
  'VTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK',
  '-----END RSA PRIVATE KEY-----',
].join('\n');
const QUOTED = 'pa"ss\\word-with-both';

/** Each outlet gets a secret the way issue 13 leaked it: escaped by JSON, encoded, or split. */
const disguises = (s: string) => [
  `plain ${s}`,
  `b64 ${Buffer.from(`>${s}<`).toString('base64')}`,
  `b64url ${Buffer.from(`>>${s}`).toString('base64url')}`,
  `url ?q=${encodeURIComponent(s)}`,
  `hex ${Buffer.from(s).toString('hex')}`,
  `split ${[...s].slice(0, 5).join('')}\n${[...s].slice(5).join('')}`,
];

describe('the logger', () => {
  it('redacts a multi-line PEM key and a value with quotes and backslashes before serialising', () => {
    const lines: string[] = [];
    const log = createLogger({ secrets: [PEM, QUOTED], write: (l) => lines.push(l), now: () => 0 });
    log.error('app key', { key: PEM, nested: { list: disguises(QUOTED) }, error: new Error(`bad ${PEM}`) });
    for (const line of lines) expect(leakedIn(line, [PEM, QUOTED])).toEqual([]);
    expect(lines.join('')).not.toContain('MIIEowIBAAKCAQEA');
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({ key: '[redacted]' });
  });

  it('lets no encoding of a random secret into a line (property)', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 8, maxLength: 40 }).filter((s) => s.trim().length >= 8),
        (secret) => {
          const lines: string[] = [];
          createLogger({ secrets: [secret], write: (l) => lines.push(l) }).info(disguises(secret).join(' | '), {
            fields: disguises(secret),
          });
          expect(leakedIn(lines.join('\n'), [secret])).toEqual([]);
          expect(leakedIn(JSON.stringify(JSON.parse(lines[0] ?? '{}')), [secret])).toEqual([]);
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('the SSE stream', () => {
  it('redacts configured secrets in every encoding, PEM and quotes included, before serialising', () => {
    const eventBus = createInProcessEventBus();
    const config = { adminAccessCode: QUOTED, githubAppPrivateKey: PEM } as unknown as CoreSettings;
    const sent: WireEvent[] = [];
    const unsubscribe = createEventsService({ eventBus, config }).subscribe((m) => sent.push(m));
    eventBus.publish({
      type: 'issue.steered',
      at: 1,
      issueId: 'i1',
      identifier: 'ENG-1',
      teamKey: 'ENG',
      message: disguises(QUOTED).join('\n'),
      data: { pem: PEM, disguised: disguises(PEM), quoted: disguises(QUOTED) },
    });
    unsubscribe();
    expect(sent).toHaveLength(1);
    const data = sent[0]?.data ?? '';
    expect(leakedIn(data, [PEM, QUOTED])).toEqual([]);
    const parsed = JSON.parse(data) as { data: { pem: string } };
    expect(parsed.data.pem).toBe('[REDACTED]');
    expect(leakedIn(JSON.stringify(parsed), [PEM, QUOTED])).toEqual([]);
  });
});
