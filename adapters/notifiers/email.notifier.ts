import type { DeliveryResult, NotificationMessage, Notifier } from '../../ports/notifier.port.js';
import { DEFAULT_NOTIFY_TIMEOUT_MS, scrub, transportFailure, withDeadline } from './delivery.js';

export interface EmailNotifierOptions {
  /** `smtp://user:pass@host:587` (STARTTLS when offered) or `smtps://…:465`. */
  smtpUrl: string;
  /** Recipients, comma-separated. */
  to: string;
  from: string;
  timeoutMs?: number;
}

/** The plain-text body: what happened, then the issue, stage, reason and links, one per line. */
export function emailText(message: NotificationMessage): string {
  const facts = [
    ['Issue', message.issue],
    ['Stage', message.stage],
    ['Team', message.teamKey],
    ['Reason', message.reason],
  ].filter(([, v]) => v) as [string, string][];
  return [
    message.text,
    '',
    ...facts.map(([k, v]) => `${k}: ${v}`),
    ...(message.links.length > 0 ? ['', ...message.links.map((l) => `${l.label}: ${l.url}`)] : []),
    '',
    `— AI-Implement (${message.kind}, ${new Date(message.at).toISOString()})`,
  ].join('\n');
}

function smtpSecrets(smtpUrl: string): string[] {
  try {
    const url = new URL(smtpUrl);
    return [smtpUrl, url.password, decodeURIComponent(url.password), url.username].filter(Boolean);
  } catch {
    return [smtpUrl];
  }
}

/** E-mail over SMTP through nodemailer; every stage of the conversation is bounded by the timeout. */
export function createEmailNotifier(options: EmailNotifierOptions): Notifier {
  const timeoutMs = options.timeoutMs ?? DEFAULT_NOTIFY_TIMEOUT_MS;
  // nodemailer is loaded at the first e-mail rather than at start.
  let transport: Promise<ReturnType<typeof import('nodemailer').createTransport>> | undefined;
  const transportOnce = () =>
    (transport ??= import('nodemailer').then(({ default: nodemailer }) =>
      nodemailer.createTransport(options.smtpUrl, {
        connectionTimeout: timeoutMs,
        greetingTimeout: timeoutMs,
        socketTimeout: timeoutMs,
      } as never),
    ));
  const secrets = smtpSecrets(options.smtpUrl);
  return {
    channel: 'email',
    send: (message) =>
      withDeadline(
        timeoutMs,
        async (): Promise<DeliveryResult> => {
          const info = (await (
            await transportOnce()
          ).sendMail({
            from: options.from,
            to: options.to,
            subject: `[AI-Implement] ${message.title}`,
            text: emailText(message),
          })) as { accepted?: unknown[]; rejected?: unknown[]; response?: string };
          const rejected = info.rejected?.length ?? 0;
          if ((info.accepted?.length ?? 0) === 0)
            return { ok: false, retryable: false, error: scrub(`no recipient accepted: ${info.response ?? ''}`, secrets) };
          return {
            ok: true,
            detail: scrub(`${info.response ?? 'accepted'}${rejected > 0 ? ` (${rejected} recipients refused)` : ''}`, secrets),
          };
        },
        (error) => {
          const code = (error as { responseCode?: number }).responseCode;
          // SMTP 5xx is a permanent refusal; 4xx and no answer are worth another try.
          if (typeof code === 'number' && code >= 500)
            return { ok: false, retryable: false, status: code, error: scrub((error as Error).message, secrets) };
          return transportFailure(error, secrets, timeoutMs);
        },
      ),
  };
}
