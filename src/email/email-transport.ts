/**
 * Delivers rendered customer e-mails: over SMTP when SMTP_URL is set, otherwise as RFC 5322 .eml files in
 * the outbox directory ($DOMBRIDGE_DATA/outbox), so a demo or test installation still shows what would
 * have been sent. Neither throws: every failure comes back as { ok: false, retryable, reason } so the caller
 * (the e-mail outbox job) can decide between trying again later and giving up.
 */
import { randomBytes } from 'node:crypto';
import { link, mkdir, open, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import type { NodemailerError, SendMailOptions } from 'nodemailer';

import type { EmailMessage } from './email-model.js';

export type EmailSendResult = { ok: true } | { ok: false; retryable: boolean; reason: string };

export interface EmailTransport {
  send(msg: EmailMessage): Promise<EmailSendResult>;
  close(): Promise<void>;
  /** For logs: where messages go. Never contains a password. */
  readonly description: string;
}

export function createEmailTransport(opts: { smtpUrl?: string; outboxDir: string }): EmailTransport {
  return opts.smtpUrl ? smtpTransport(opts.smtpUrl) : outboxTransport(opts.outboxDir);
}

const SMTP_TIMEOUT_MS = 10_000;

function smtpTransport(smtpUrl: string): EmailTransport {
  let url: URL;
  try {
    url = new URL(smtpUrl);
  } catch {
    // The URL may hold a password: say what is wrong without repeating it.
    throw new Error('SMTP_URL is not a valid URL (expected smtp://user:pass@host:port or smtps://...)');
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') {
    throw new Error(`SMTP_URL must start with smtp:// or smtps://, not ${url.protocol}//`);
  }
  const secure = url.protocol === 'smtps:';
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1'); // URL keeps the brackets of an IPv6 literal
  const port = url.port ? Number(url.port) : secure ? 465 : 587;
  const user = decodeURIComponent(url.username);
  const pass = decodeURIComponent(url.password);
  const loopback = host === 'localhost' || host === '::1' || host.startsWith('127.');

  const transporter = nodemailer.createTransport({
    pool: true,
    host,
    port,
    secure,
    auth: user ? { user, pass } : undefined,
    // A password must not cross the network in clear: on smtp:// insist on STARTTLS unless the relay is local.
    requireTLS: Boolean(user) && !secure && !loopback,
    connectionTimeout: SMTP_TIMEOUT_MS,
    greetingTimeout: SMTP_TIMEOUT_MS,
    socketTimeout: 6 * SMTP_TIMEOUT_MS,
    tls: { rejectUnauthorized: true },
  });
  const where = `${url.protocol}//${user ? `${encodeURIComponent(user)}@` : ''}${url.host}`;

  return {
    description: `SMTP ${where} (pooled)`,
    async send(msg) {
      try {
        await transporter.sendMail(mailOptions(msg));
        return { ok: true };
      } catch (err) {
        return smtpFailure(err, pass);
      }
    },
    async close() {
      transporter.close();
    },
  };
}

/**
 * Retryable unless the server refused this message for good. RFC 5321: 5yz is a permanent rejection
 * (550 unknown mailbox, 552, 554), 4yz a transient one; nodemailer sets `permanent` from that (treating 503
 * as transient). Connection refused, DNS and timeouts carry no reply code and are worth another try.
 * Authentication and TLS failures are retryable although their replies are 5yz: they are a configuration
 * fault of ours, not something wrong with the message, and once fixed the message should still go.
 */
function smtpFailure(err: unknown, secret: string): { ok: false; retryable: boolean; reason: string } {
  const e = (err ?? {}) as NodemailerError;
  const code = typeof e.code === 'string' ? e.code : undefined;
  const rc = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  let retryable: boolean;
  if (code && ['EAUTH', 'ENOAUTH', 'EOAUTH2', 'ETLS', 'EREQUIRETLS'].includes(code)) retryable = true;
  else if (typeof e.permanent === 'boolean') retryable = !e.permanent;
  else if (rc !== undefined) retryable = !(rc >= 500 && rc <= 599 && rc !== 503);
  // No reply: a malformed envelope or message fails the same way every time; anything else is transient.
  else retryable = !(code && ['EENVELOPE', 'EMESSAGE', 'EMAXRECIPIENTS', 'ECONFIG'].includes(code));

  const detail = e.response ?? e.message ?? String(err);
  const origin = e.originalCode && e.originalCode !== code ? ` (${e.originalCode})` : '';
  const replyCode = rc !== undefined && !detail.startsWith(String(rc)) ? ` ${rc}` : '';
  return { ok: false, retryable, reason: cleanReason(`${code ?? 'ERROR'}${origin}${replyCode}: ${detail}`, secret) };
}

function cleanReason(reason: string, secret: string): string {
  let out = reason.replace(/\s+/g, ' ').replace(/\/\/[^/\s:@]*:[^/\s@]*@/g, '//***@');
  // Short passwords are skipped: replacing every "ab" in a message would only make it unreadable.
  if (secret.length >= 4) out = out.split(secret).join('***');
  return out.length > 500 ? `${out.slice(0, 497)}...` : out;
}

/** Header fields are single lines: CR/LF in any of them would let a value start a header of its own. */
const oneLine = (value: string): string => value.replace(/[\r\n]+/g, ' ').trim();

function mailOptions(msg: EmailMessage): SendMailOptions {
  return {
    from: oneLine(msg.from),
    to: oneLine(msg.to),
    subject: oneLine(msg.subject),
    text: msg.text,
    html: msg.html,
    // Stable per message (see EmailMessage.messageId), so a resend after a crash is the same message.
    messageId: msg.messageId.replace(/\s+/g, ''),
    headers: { 'X-Dombridge-Email-Type': oneLine(msg.type) },
    // The bodies are strings we rendered; never let content name a file or URL to be read and attached.
    disableFileAccess: true,
    disableUrlAccess: true,
  };
}

function outboxTransport(outboxDir: string): EmailTransport {
  // Builds the complete RFC 5322 message (headers, multipart/alternative body) without sending it.
  const composer = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });

  return {
    description: `outbox ${outboxDir} (.eml files, no SMTP_URL set)`,
    async send(msg) {
      let raw: Buffer;
      try {
        const info = await composer.sendMail(mailOptions(msg));
        if (!Buffer.isBuffer(info.message)) throw new Error('composer did not return a buffer');
        raw = info.message;
      } catch (err) {
        // Composing depends only on the message, so it would fail again.
        return { ok: false, retryable: false, reason: `cannot compose message: ${(err as Error).message}` };
      }
      const base = `${new Date().toISOString().replace(/:/g, '')}-${fileSafe(msg.orderId)}-${fileSafe(msg.type)}`;
      try {
        await mkdir(outboxDir, { recursive: true });
        await writeNewFile(outboxDir, base, raw);
        return { ok: true };
      } catch (err) {
        // Disk full, permissions, a missing mount: the environment's fault, so worth another try later.
        const e = err as NodeJS.ErrnoException;
        return { ok: false, retryable: true, reason: `cannot write ${base}.eml to the outbox: ${e.code ?? e.message}` };
      }
    },
    async close() {
      composer.close();
    },
  };
}

/** Order ids and types come from outside: keep them to characters that cannot leave the directory. */
function fileSafe(value: string): string {
  return value.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 80) || '_';
}

/**
 * Writes `<base>.eml` so that it either exists complete or not at all: the bytes go to a hidden temp file,
 * are flushed, and only then get the final name. link() rather than rename() so that two messages for the
 * same order and type in the same millisecond (two shipments) never overwrite each other: the second
 * becomes `<base>-2.eml`.
 */
async function writeNewFile(dir: string, base: string, data: Buffer): Promise<string> {
  const tmp = join(dir, `.${base}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const fh = await open(tmp, 'wx', 0o640);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    for (let n = 1; n <= 1000; n++) {
      const target = join(dir, n === 1 ? `${base}.eml` : `${base}-${n}.eml`);
      try {
        await link(tmp, target);
        return target;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EEXIST') continue;
        // File systems without hard links: rename, which is atomic too, after checking the name is free.
        if (code === 'EPERM' || code === 'ENOTSUP' || code === 'ENOSYS' || code === 'EOPNOTSUPP') {
          if (await exists(target)) continue;
          await rename(tmp, target);
          return target;
        }
        throw err;
      }
    }
    throw new Error(`no free file name for ${base}.eml`);
  } finally {
    await unlink(tmp).catch(() => undefined); // already gone after a rename
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
