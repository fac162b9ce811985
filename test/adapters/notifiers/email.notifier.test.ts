import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createEmailNotifier } from '../../../adapters/notifiers/email.notifier.js';
import type { NotificationMessage } from '../../../core/domain/notifications.js';
import { type SmtpSink, startSmtpSink } from '../../fakes/smtp/smtp-sink.js';

const message: NotificationMessage = {
  kind: 'run.timed_out',
  at: Date.UTC(2026, 0, 1),
  teamKey: 'OPS',
  issue: 'OPS-3',
  stage: 'planning',
  title: 'OPS-3: planning run timed out',
  text: 'The planning run of OPS-3 timed out.',
  reason: 'machine_timeout',
  links: [{ label: 'Admin', url: 'http://127.0.0.1:4000/admin#issues' }],
};

let sink: SmtpSink | undefined;
afterEach(async () => {
  await sink?.close();
  sink = undefined;
});

describe('e-mail notifier (nodemailer against an smtp-server sink)', () => {
  it('sends a plain-text mail with the facts and links to every recipient', async () => {
    sink = await startSmtpSink();
    const notifier = createEmailNotifier({
      smtpUrl: sink.url,
      to: 'ops@example.com, oncall@example.com',
      from: 'bot@example.com',
    });
    const result = await notifier.send(message, 'm1');
    expect(result).toMatchObject({ ok: true });
    expect(sink.mails).toHaveLength(1);
    const [mail] = sink.mails;
    expect(mail?.from).toBe('bot@example.com');
    expect(mail?.to).toEqual(['ops@example.com', 'oncall@example.com']);
    expect(mail?.raw).toContain('Subject: [AI-Implement] OPS-3: planning run timed out');
    expect(mail?.text).toContain('Reason: machine_timeout');
    expect(mail?.text).toContain('Admin: http://127.0.0.1:4000/admin#issues');
    expect(mail?.text).toContain('— AI-Implement (run.timed_out, 2026-01-01T00:00:00.000Z)');
  });

  it('treats a permanent refusal (550) as final', async () => {
    sink = await startSmtpSink();
    sink.refuseRecipients = true;
    const result = await createEmailNotifier({ smtpUrl: sink.url, to: 'x@example.com', from: 'bot@example.com' }).send(
      message,
      'm2',
    );
    expect(result).toMatchObject({ ok: false, retryable: false });
    expect(sink.mails).toHaveLength(0);
  });

  it('retries later when the relay is unreachable or silent, within the timeout, without the password', async () => {
    const silent = createServer(() => undefined); // accepts, never greets
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as { port: number };
    try {
      const started = Date.now();
      const url = `smtp://mailer:s3cret-pass@127.0.0.1:${port}`;
      const result = await createEmailNotifier({ smtpUrl: url, to: 'x@example.com', from: 'b@example.com', timeoutMs: 400 }).send(
        message,
        'm3',
      );
      expect(Date.now() - started).toBeLessThan(3000);
      expect(result).toMatchObject({ ok: false, retryable: true });
      expect(JSON.stringify(result)).not.toContain('s3cret-pass');
    } finally {
      silent.close();
    }
  });
});
