import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** One .eml file of dombridge's outbox, read far enough to check what a customer was sent. */
export interface OutboxMail {
  readonly file: string;
  readonly type: string;
  readonly to: string;
  readonly subject: string;
  /** The body with quoted-printable soft breaks and escapes undone. */
  readonly text: string;
}

export interface MailWanted {
  readonly type?: string | undefined;
  readonly to?: string | undefined;
  readonly orderId?: string | undefined;
  readonly subject?: string | undefined;
  readonly contains: readonly string[];
}

function header(head: string, name: string): string {
  const m = new RegExp(`^${name}:[ \\t]*(.*(?:\\r?\\n[ \\t].*)*)`, 'im').exec(head);
  return m ? m[1]!.replace(/\r?\n[ \t]+/g, ' ').trim() : '';
}

/** RFC 2047 encoded words, as nodemailer writes non-ASCII subjects. */
function decodeWords(s: string): string {
  return s.replace(/=\?utf-8\?([QB])\?([^?]*)\?=\s*/gi, (_, enc: string, text: string) =>
    enc.toUpperCase() === 'B' ? Buffer.from(text, 'base64').toString('utf8') : Buffer.from(text.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (_m, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8'));
}

function decodeBody(raw: string): string {
  return Buffer.from(raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8');
}

export async function readOutbox(dir: string): Promise<OutboxMail[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith('.eml') && !n.startsWith('.')).sort();
  } catch {
    return [];
  }
  const mails: OutboxMail[] = [];
  for (const n of names) {
    const raw = await readFile(join(dir, n), 'utf8').catch(() => '');
    const split = raw.search(/\r?\n\r?\n/);
    const head = split === -1 ? raw : raw.slice(0, split);
    mails.push({ file: n, type: header(head, 'X-Dombridge-Email-Type'), to: header(head, 'To'), subject: decodeWords(header(head, 'Subject')), text: decodeBody(split === -1 ? '' : raw.slice(split)) });
  }
  return mails;
}

/** Why a mail does not fit, or undefined when it does. */
export function mismatch(m: OutboxMail, w: MailWanted): string | undefined {
  if (w.type !== undefined && m.type !== w.type) return `type ${m.type}`;
  if (w.orderId !== undefined && !m.file.includes(`-${w.orderId}-`) && !m.subject.includes(w.orderId)) return 'another order';
  if (w.to !== undefined && !m.to.toLowerCase().includes(w.to.toLowerCase())) return `to ${m.to}`;
  if (w.subject !== undefined && !m.subject.includes(w.subject)) return `subject "${m.subject}"`;
  const missing = w.contains.filter((c) => !m.text.includes(c) && !m.subject.includes(c));
  if (missing.length) return `no ${missing.map((c) => JSON.stringify(c)).join(', ')} in the text`;
  return undefined;
}

export function describeWanted(w: MailWanted): string {
  const parts = [w.type ?? 'any type', w.orderId ? `for order ${w.orderId}` : '', w.to ? `to ${w.to}` : '', w.subject ? `subject containing "${w.subject}"` : '', w.contains.length ? `containing ${w.contains.map((c) => JSON.stringify(c)).join(', ')}` : ''];
  return `an e-mail ${parts.filter(Boolean).join(' ')}`;
}
