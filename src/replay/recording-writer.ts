import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NS } from '../xml/namespaces.js';
import type { XmlElement } from '../xml/xml-element.js';
import { readXml } from '../xml/xml-reader.js';
import { bodOf, isEnvelope } from './canonical-xml.js';
import { SERVICE_PATHS } from './fixture-model.js';
import { reverseSubstitution } from './variables.js';
import { writePrettyXml } from './xml-pretty.js';
import { parsePath, selectAll, selectValue } from './xml-path.js';

/** One SOAP exchange as the recording proxy saw it. */
export interface Exchange {
  readonly path: string;
  readonly requestContentType: string;
  readonly request: string;
  readonly status: number;
  readonly response: string;
}

/** What a recorded fixture ignores: what differs between any two runs of the same conversation (ExternalOrderID: DOM's own order key). */
export const RECORDED_IGNORE = [
  'ApplicationArea/BODID', '**/CreationDateTime', '**/OrderIdentifier/ExternalOrderID', '**/LastUpdateDateTime', '**/PlacedDate', '**/AvailableDate', '**/ExpectedShipDate',
  '**/TimeReleased', '**/TimeShipped', "**/UserDataField[@name='shipDate']", "**/UserDataField[@name='shipmentId']", "**/UserDataField[@name='trackingNumber']",
];

/** Ids the server makes up, by where they stand in an answer: captured so later steps can use them. */
const GENERATED_IDS: ReadonlyArray<{ readonly base: string; readonly paths: (bod: XmlElement) => string[] }> = [
  { base: 'orderId', paths: (bod) => orders(bod).map((o) => `${o}/OrderIdentifier/UniqueID`) },
  { base: 'orderItemId', paths: (bod) => orders(bod).flatMap((o) => indexed(bod, `${o}/OrderItem`).map((i) => `${i}/OrderItemIdentifier/UniqueID`)) },
  { base: 'paymentId', paths: (bod) => orders(bod).flatMap((o) => indexed(bod, `${o}/OrderPaymentInfo/PaymentInstruction`).map((p) => `${p}/UniqueID`)) },
];

function count(bod: XmlElement, path: string): number {
  return selectAll(bod, parsePath(path)).length;
}

/** `PATH[1]`, `PATH[2]` … for each element there, or just `PATH` when there is one. */
function indexed(bod: XmlElement, path: string): string[] {
  const n = count(bod, path);
  return n === 1 ? [path] : Array.from({ length: n }, (_, i) => `${path}[${i + 1}]`);
}

function orders(bod: XmlElement): string[] {
  return indexed(bod, 'DataArea/Order');
}

function allValues(el: XmlElement, into: Set<string>): void {
  if (el.text) into.add(el.text);
  for (const v of Object.values(el.attrs)) into.add(v);
  for (const c of el.children) allValues(c, into);
}

/** Well-known test card numbers, kept as recorded (a declined test card must stay declined). */
const TEST_CARDS = new Set(['4111111111111111', '4000000000000002', '4242424242424242', '5555555555554444', '378282246310005']);

const SUBSTITUTE_CARD = '4111111111111111';

/**
 * Card numbers in ProtocolData (account, cc_account; Commerce's form, `<_ord:ProtocolData name="account">…`) other
 * than test cards become the test card 4111111111111111; the last four digits of each one replaced are added to
 * `replaced`, so the masked echo in answers can follow. CVCs (cc_cvc) are blanked whatever they are.
 */
function withoutCardNumbers(el: XmlElement, replaced: Set<string>): XmlElement {
  if (el.name === 'ProtocolData' && el.children.length === 0) {
    const name = el.attrs['name'] ?? '';
    if (name === 'cc_cvc') return { ...el, text: '' };
    const digits = el.text.replace(/[\s-]/g, '');
    if (!['account', 'cc_account'].includes(name) || !/^\d{12,19}$/.test(digits) || TEST_CARDS.has(digits)) return el;
    replaced.add(digits.slice(-4));
    return { ...el, text: SUBSTITUTE_CARD };
  }
  return el.children.length ? { ...el, children: el.children.map((c) => withoutCardNumbers(c, replaced)) } : el;
}

/** The request without WS-Security headers or real card numbers: a recording keeps no secrets. */
function withoutSecrets(original: XmlElement, replacedCards: Set<string>): XmlElement {
  const root = withoutCardNumbers(original, replacedCards);
  if (!isEnvelope(root)) return root;
  const children = root.children
    .map((c) => (c.name === 'Header' && c.ns === root.ns ? { ...c, children: c.children.filter((h) => !(h.ns === NS.wsse && h.name === 'Security')) } : c))
    .filter((c) => !(c.name === 'Header' && c.ns === root.ns && c.children.length === 0));
  return { ...root, children };
}

function firstActionCode(el: XmlElement): string | undefined {
  if (el.name === 'ActionExpression') return el.attrs['actionCode'];
  for (const c of el.children) {
    const a = firstActionCode(c);
    if (a) return a;
  }
  return undefined;
}

function stamp(d: Date): string {
  return d.toISOString().replace(/\..*$/, '').replace(/[-:]/g, '').replace('T', '-');
}

/** Where an order's status stands in ShowOrder/RespondOrder: what a client polls for. */
const ORDER_STATUS = 'DataArea/Order/OrderStatus/Status';

interface LastStep {
  readonly step: Record<string, unknown>;
  readonly base: string;
  /** The request as written (its BODID and times left out) when its answer carried an order status. */
  readonly pollKey: string | undefined;
  polls: number;
}

/** The expected-response file: the BOD (or a SOAP 1.2 envelope whole), after a `<!-- HTTP n -->` line when not 200. */
function expectedText(status: number, resRoot: XmlElement, rewrite: (v: string) => string): string {
  const whole = resRoot.ns === NS.soap12;
  return `${status === 200 ? '' : `<!-- HTTP ${status} -->\n`}${writePrettyXml(whole ? resRoot : bodOf(resRoot), rewrite)}`;
}

/** Writes exchanges as the steps of one fixture: DIR/NAME.fixture.json and the XML files in DIR/NAME/. */
export class RecordingWriter {
  steps = 0;
  readonly name: string;
  readonly fixtureFile: string;
  private readonly stepsJson: Record<string, unknown>[] = [];
  /** Captured ids by variable name, in the order found. */
  private readonly captures = new Map<string, string>();
  private readonly sentValues = new Set<string>();
  /** Last four digits of card numbers replaced in requests, for the masked echo in answers ("************1881"). */
  private readonly replacedCards = new Set<string>();
  private readonly started = new Date();
  /** The step written last, which a repeated poll of the same request extends. */
  private last: LastStep | undefined;

  constructor(private readonly dir: string, name: string | undefined, private readonly opts: { keepBodIds: boolean }) {
    this.name = name ?? `recording-${stamp(this.started)}`;
    this.fixtureFile = join(dir, `${this.name}.fixture.json`);
  }

  /** Writes one exchange and the fixture as it now stands; returns a line for the log. */
  record(x: Exchange): string {
    mkdirSync(join(this.dir, this.name), { recursive: true });
    let reqRoot: XmlElement | undefined;
    try {
      reqRoot = withoutSecrets(readXml(x.request), this.replacedCards);
    } catch {
      reqRoot = undefined;
    }
    const reqBod = reqRoot ? bodOf(reqRoot) : undefined;
    if (reqBod) allValues(reqBod, this.sentValues);
    let resRoot: XmlElement | undefined;
    try {
      resRoot = readXml(x.response);
    } catch {
      resRoot = undefined;
    }
    const op = reqBod?.name ?? 'request';
    const bodId = reqBod ? selectValue(reqBod, parsePath('ApplicationArea/BODID')) : undefined;
    const stepVars: [string, string][] = bodId && !this.opts.keepBodIds ? [['uuid', bodId]] : [];
    const rewrite = this.rewriter(stepVars);
    const asBod = reqRoot !== undefined && isEnvelope(reqRoot) && reqRoot.ns === NS.soap11 && reqRoot.children.length === 1;
    const requestText = reqRoot ? writePrettyXml(asBod ? bodOf(reqRoot) : reqRoot, rewrite) : x.request;
    const status = resRoot ? selectValue(bodOf(resRoot), parsePath(ORDER_STATUS)) : undefined;
    const pollKey = status !== undefined && reqRoot ? `${x.path}\n${requestText.replace(/(BODID>|CreationDateTime>)[^<]*</g, '$1<')}` : undefined;

    const last = this.last;
    if (pollKey !== undefined && last?.pollKey === pollKey && resRoot) return this.recordPoll(last, x, resRoot, status!, rewrite);

    const n = ++this.steps;
    const action = reqBod ? firstActionCode(reqBod) : undefined;
    const base = `${this.name}/${String(n).padStart(3, '0')}-${op}${action ? `-${action.replace(/[^\w.-]/g, '_')}` : ''}`;
    const capture: Record<string, string> = {};
    if (resRoot) {
      const bod = bodOf(resRoot);
      const known = new Set(this.captures.values());
      for (const g of GENERATED_IDS) {
        for (const path of g.paths(bod)) {
          const v = selectValue(bod, parsePath(path));
          if (!v || this.sentValues.has(v) || known.has(v)) continue;
          let name = g.base;
          for (let k = 2; this.captures.has(name); k++) name = `${g.base}${k}`;
          this.captures.set(name, v);
          known.add(v);
          capture[name] = path;
        }
      }
    }
    // Ids captured from this answer appear in its expected response as variables too.
    const answerRewrite = Object.keys(capture).length ? this.rewriter(stepVars) : rewrite;
    const path = x.path;
    const service = Object.entries(SERVICE_PATHS).find(([, p]) => p === path)?.[0];
    const step: Record<string, unknown> = { name: `${op}${action ? ` ${action}` : ''}`, ...(service ? { service } : { path }) };
    writeFileSync(join(this.dir, `${base}.request.xml`), requestText);
    if (!reqRoot) Object.assign(step, { raw: true, ...(x.requestContentType ? { contentType: x.requestContentType } : {}) });
    step['request'] = `${base}.request.xml`;
    if (resRoot) {
      writeFileSync(join(this.dir, `${base}.response.xml`), expectedText(x.status, resRoot, answerRewrite));
      step['expect'] = `${base}.response.xml`;
    }
    if (Object.keys(capture).length) step['capture'] = capture;
    this.stepsJson.push(step);
    this.last = { step, base, pollKey, polls: 1 };
    this.writeFixture();
    const answer = resRoot ? bodOf(resRoot).name : 'no XML';
    const ids = Object.entries(capture).map(([k]) => `${k}=${this.captures.get(k)}`).join(', ');
    return `recorded ${String(n).padStart(3, '0')} ${step['name'] as string} → ${answer} (HTTP ${x.status})${ids ? `, captured ${ids}` : ''}`;
  }

  /**
   * The same request again, answered with an order status: a client polling (GetOrder until DOM has it at G). The
   * polls are one step that waits for the last status seen, not steps that each expect a status a replay cannot
   * reproduce at the same moment.
   */
  private recordPoll(last: LastStep, x: Exchange, resRoot: XmlElement, status: string, rewrite: (v: string) => string): string {
    last.polls++;
    writeFileSync(join(this.dir, `${last.base}.response.xml`), expectedText(x.status, resRoot, rewrite));
    last.step['waitFor'] = { until: `${ORDER_STATUS} = '${status}'` };
    this.writeFixture();
    const n = String(this.steps).padStart(3, '0');
    return `recorded ${n} ${last.step['name'] as string} again (poll ${last.polls}): one step that waits until the status is ${status}`;
  }

  /** Values to variables: captured ids, this step's BODID as ${uuid}, replaced cards' masked echo. */
  private rewriter(stepVars: [string, string][]): (v: string) => string {
    const substituted = reverseSubstitution([...this.captures, ...stepVars], new Set(this.captures.keys()));
    return (value: string) => {
      const masked = /^([*xX]{4,})(\d{4})$/.exec(value);
      return substituted(masked && this.replacedCards.has(masked[2]!) ? `${masked[1]}${SUBSTITUTE_CARD.slice(-4)}` : value);
    };
  }

  private writeFixture(): void {
    const fixture = {
      description: `Recorded by dombridge record on ${this.started.toISOString().slice(0, 10)}: ${this.steps} exchange(s), replayed in the order they happened. Ids the server generated are captured and used as variables in later steps.`,
      tags: ['recorded'],
      ignore: RECORDED_IGNORE,
      steps: this.stepsJson,
    };
    writeFileSync(this.fixtureFile, `${JSON.stringify(fixture, null, 2)}\n`);
  }
}
