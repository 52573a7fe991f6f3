import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { expect } from 'chai';
import { NS } from '../../src/xml/namespaces.js';
import { child } from '../../src/xml/xml-element.js';
import { readXml } from '../../src/xml/xml-reader.js';
import { writeElement } from '../../src/xml/xml-writer.js';
import { findRepoRoot, loadBodValidator, type BodValidator } from '../support/xsd-validator.js';

const ROOT = findRepoRoot();
const FIXTURES = join(ROOT, 'fixtures');

/**
 * Fixture documents that are deliberately not what Commerce's schemas accept, each with the reason. Every other
 * request and response under fixtures/ must validate; every file named here must fail (so the list stays true).
 */
const KNOWN_INVALID: Readonly<Record<string, string>> = {
  'dom/sync-order-bad-status.request.xml': 'tests refusing a status no one knows ("Teleported")',
  'inventory/sync-availability-partial-failure.request.xml': 'tests refusing an unknown inventory status ("Sometimes")',
  'order/bad-quantity.request.xml': 'tests refusing a quantity that is not a number ("lots")',
  'dom/_mediation/reserve-acknowledgement.xml': "as the mediation's reserve map writes it: an AcknowledgeInventoryRequirement without its oa:Acknowledge verb",
  'dom/_mediation/reserve-nothing.xml': "as the mediation's reserve map writes it: no verb, and a line Sterling could not allocate without Quantity",
  'dom/_mediation/show-inventory-availability.xml': "as the mediation's availability map writes it: no releaseID and no oa:Show verb",
  'samples/GetInventoryAvailability.xml': 'a real sender omitting CreationDateTime (dombridge reads it anyway)',
  'samples/ShowInventoryAvailability.xml': 'an answer as DOM writes it, its OriginalApplicationArea without CreationDateTime',
};

/** Values for the fixtures' ${...} variables: any well-formed value of the right type will do. */
function substitute(xml: string): string {
  return xml
    .replace(/\$\{now\}/g, '2024-05-06T10:15:30.000Z')
    .replace(/\$\{uuid\}/g, '0b7e5a52-1f7c-4a0e-9d55-000000000001')
    .replace(/\$\{[A-Za-z]+\}/g, '90000101');
}

function xmlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? xmlFiles(join(dir, e.name)) : e.name.endsWith('.xml') ? [join(dir, e.name)] : []));
}

/** The BOD of a fixture document (bare, or the first element of a SOAP Body); undefined for a fault or a non-BOD. */
function bodOf(xml: string): string | undefined {
  let el = readXml(xml);
  if (el.name === 'Envelope') {
    const body = child(el, el.ns, 'Body');
    if (!body?.children[0]) return undefined;
    el = body.children[0];
  }
  if (!([NS.oa, NS.wcf, NS.inv, NS.ord] as string[]).includes(el.ns)) return undefined;
  return writeElement(el);
}

/** Every request and expected answer of the replay fixtures, in the forms Commerce's schemas define. */
describe('fixtures/ requests and responses validate against schemas/', function () {
  let validator: BodValidator;
  before(async function () {
    validator = await loadBodValidator();
  });
  after(function () {
    validator?.dispose();
  });

  const files = xmlFiles(FIXTURES).filter((f) => !relative(FIXTURES, f).startsWith('faults/'));

  it('finds the fixtures', function () {
    expect(files.length).to.be.greaterThan(150);
    for (const name of Object.keys(KNOWN_INVALID)) expect(files.map((f) => relative(FIXTURES, f)), name).to.include(name);
  });

  for (const file of files) {
    const name = relative(FIXTURES, file);
    it(name, function () {
      const bod = bodOf(substitute(readFileSync(file, 'utf8')));
      if (bod === undefined) this.skip(); // a SOAP fault: no BOD to validate
      const errors = validator.validate(bod!);
      if (KNOWN_INVALID[name]) expect(errors, `${name} is listed as invalid (${KNOWN_INVALID[name]}) but validates`).to.not.be.empty;
      else expect(errors, name).to.deep.equal([]);
    });
  }
});
