/**
 * A client of Commerce's own WSDLs on real HTTP: serializes a BOD tree the way its stack does, posts it with the
 * soapAction Commerce's WSDL gives every operation of the service, and reads the answer. Every answer is checked
 * against the project's schemas (schemas/) before the test looks at it, and so is every request (unless the test
 * says why it is deliberately invalid): what Commerce's clients send must fit the schemas dombridge documents.
 *
 * Set COMMERCE_CLIENT_DUMP to a folder to keep every request sent (one file each), e.g. to check them by hand
 * against Commerce's own XSDs.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { NS } from '../../../src/xml/namespaces.js';
import { child, type XmlElement } from '../../../src/xml/xml-element.js';
import { readXml } from '../../../src/xml/xml-reader.js';
import type { BodValidator } from '../xsd-validator.js';
import type { Node } from './bod-tree.js';
import { serialize, type ClientStack } from './client-stacks.js';

export const INVENTORY_PATH = '/webapp/wcs/component/inventory/services/InventoryServices';
export const ORDER_PATH = '/webapp/wcs/component/order/services/OrderServices';

/** The soapAction of every operation of each service in Commerce's WSDLs; JAX-WS and .NET send it quoted. */
const SOAP_ACTION = {
  inv: '"http://localhost/services/InventoryServices.wsdl"',
  ord: '"http://localhost/services/OrderServices.wsdl"',
} as const;

export interface Answer {
  readonly status: number;
  readonly request: string;
  readonly text: string;
  /** The BOD (first child of the Body). */
  readonly bod: XmlElement;
  /** The BOD as a standalone document (our writer declares its namespaces on the BOD root). */
  readonly bodText: string;
}

let dumped = 0;

export class CommerceClient {
  constructor(private readonly baseUrl: string, readonly stack: ClientStack, private readonly validator: BodValidator) {}

  /**
   * Sends the BOD and expects an answer named `answerName` (e.g. ShowInventoryAvailability, ConfirmBOD).
   * `invalidRequest` says why the request is deliberately not valid against the schemas.
   */
  async send(request: Node, answerName: string, opts: { invalidRequest?: string } = {}): Promise<Answer> {
    const component = request.ns as 'inv' | 'ord';
    const xml = serialize(this.stack, request);
    const requestErrors = this.validator.validate(standaloneBod(xml));
    if (opts.invalidRequest) expect(requestErrors, `${request.name} is meant to be invalid: ${opts.invalidRequest}`).not.to.deep.equal([]);
    else expect(requestErrors, `the ${this.stack} ${request.name} request\n${xml.slice(0, 1500)}`).to.deep.equal([]);
    const dumpDir = process.env['COMMERCE_CLIENT_DUMP'];
    if (dumpDir) {
      mkdirSync(dumpDir, { recursive: true });
      writeFileSync(join(dumpDir, `${String(++dumped).padStart(3, '0')}-${this.stack}-${request.name}.xml`), xml);
    }
    const res = await fetch(this.baseUrl + (component === 'inv' ? INVENTORY_PATH : ORDER_PATH), {
      method: 'POST', headers: { 'Content-Type': 'text/xml; charset=utf-8', SOAPAction: SOAP_ACTION[component] }, body: xml,
    });
    const text = await res.text();
    const env = readXml(text);
    const bod = child(env, env.ns, 'Body')!.children[0]!;
    expect(bod.name, `${request.name} (${this.stack}) answered:\n${text.slice(0, 800)}\nto:\n${xml.slice(0, 800)}`).to.equal(answerName);
    const open = text.indexOf('Body>') + 'Body>'.length;
    const bodText = text.slice(open, text.lastIndexOf('</', text.lastIndexOf('Body>')));
    expect(this.validator.validate(bodText), `${answerName}\n${bodText.slice(0, 1500)}`).to.deep.equal([]);
    return { status: res.status, request: xml, text, bod, bodText };
  }
}

/** The BOD of a request envelope as a document of its own, carrying the envelope's namespace declarations. */
function standaloneBod(envelope: string): string {
  const body = /<(?:\w+:)?Body>(.*)<\/(?:\w+:)?Body>/s.exec(envelope)![1]!;
  const envAttrs = /<(?:\w+:)?Envelope([^>]*)>/.exec(envelope)![1]!;
  const rootTag = /^<[^>]*>/.exec(body)![0];
  const carried = [...envAttrs.matchAll(/xmlns:(\w+)="[^"]*"/g)].filter(([, p]) => !rootTag.includes(`xmlns:${p}=`)).map(([d]) => d);
  return body.replace(/^<([\w:]+)/, `<$1 ${carried.join(' ')}`);
}

/** The nouns of an answer's DataArea (whatever its component namespace). */
export function nounsOf(a: Answer, name: string): XmlElement[] {
  const da = a.bod.children.find((c) => c.name === 'DataArea');
  return (da?.children ?? []).filter((c) => c.name === name && c.ns !== NS.oa);
}
