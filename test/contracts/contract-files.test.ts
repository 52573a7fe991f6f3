/**
 * The service contract files: schemas/*.xsd and wsdl/*.wsdl.
 *
 *  (a) every WSDL and XSD is well-formed XML;
 *  (b) the XSDs compile (each on its own and all four together);
 *  (c) the WSDLs carry exactly the names, operations, soapActions and addresses of the wire contract;
 *  (d) the example messages in test/contracts/samples/ validate, and hand-made responses show what the
 *      schemas accept and reject;
 *  (e) node-soap loads every WSDL.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect } from 'chai';
import { XMLParser } from 'fast-xml-parser';
import { XmlDocument, XsdValidator } from 'libxml2-wasm';
import * as soap from 'soap';
import {
  BOD_NAMESPACES,
  BOD_SCHEMA_FILES,
  findRepoRoot,
  loadBodValidator,
  schemaFiles,
  type BodValidator,
} from '../support/xsd-validator.js';

const NS = {
  ...BOD_NAMESPACES,
  wsdl: 'http://schemas.xmlsoap.org/wsdl/',
  soap11: 'http://schemas.xmlsoap.org/wsdl/soap/',
  xsd: 'http://www.w3.org/2001/XMLSchema',
  dom: 'http://dombridge.dev/dom/1',
} as const;

const ROOT = findRepoRoot();
const WSDL_DIR = join(ROOT, 'wsdl');
const SCHEMA_DIR = join(ROOT, 'schemas');
const SAMPLE_DIR = join(ROOT, 'test', 'contracts', 'samples');

const wsdlFiles = (): string[] =>
  readdirSync(WSDL_DIR)
    .filter((n) => n.endsWith('.wsdl'))
    .sort()
    .map((n) => join(WSDL_DIR, n));

// ------------------------------------------------------------------ a tiny namespace-aware view over fast-xml-parser output

type XNode = Record<string, unknown>;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseAttributeValue: false,
  parseTagValue: false,
  isArray: (_name, _jpath, _isLeaf, isAttribute) => !isAttribute,
});

interface QName {
  ns: string;
  local: string;
}

class Doc {
  readonly root: XNode;
  readonly rootName: string;
  readonly nsByPrefix = new Map<string, string>();

  constructor(text: string) {
    const parsed = parser.parse(text) as XNode;
    const rootKey = Object.keys(parsed).find((k) => !k.startsWith('?') && !k.startsWith('#'));
    if (rootKey === undefined) throw new Error('no root element');
    const root = (parsed[rootKey] as XNode[])[0];
    if (root === undefined) throw new Error('empty root');
    this.root = root;
    this.rootName = rootKey;
    for (const [k, v] of Object.entries(root)) {
      if (k === '@_xmlns') this.nsByPrefix.set('', String(v));
      else if (k.startsWith('@_xmlns:')) this.nsByPrefix.set(k.slice('@_xmlns:'.length), String(v));
    }
  }

  /** Expanded name of an element key or a QName attribute value (prefixes declared on the root only). */
  qname(prefixed: string): QName {
    const i = prefixed.indexOf(':');
    const prefix = i < 0 ? '' : prefixed.slice(0, i);
    const local = i < 0 ? prefixed : prefixed.slice(i + 1);
    const ns = this.nsByPrefix.get(prefix);
    if (ns === undefined) throw new Error(`undeclared prefix in ${prefixed}`);
    return { ns, local };
  }

  /** Child elements of node with the given namespace and local name. */
  kids(node: XNode, ns: string, local: string): XNode[] {
    const out: XNode[] = [];
    for (const [k, v] of Object.entries(node)) {
      if (k.startsWith('@_') || k === '#text') continue;
      const q = this.qname(k);
      if (q.ns === ns && q.local === local) out.push(...(v as XNode[]));
    }
    return out;
  }

  kid(node: XNode, ns: string, local: string): XNode {
    const all = this.kids(node, ns, local);
    expect(all, `exactly one ${local}`).to.have.length(1);
    return all[0] as XNode;
  }
}

const attr = (node: XNode, name: string): string | undefined => {
  const v = node[`@_${name}`];
  return v === undefined ? undefined : String(v);
};

const qstr = (q: QName): string => `{${q.ns}}${q.local}`;

/** Global element declarations of schemas/*.xsd, as {ns}local strings. */
function globalElements(): Set<string> {
  const out = new Set<string>();
  for (const file of schemaFiles()) {
    const d = new Doc(readFileSync(file, 'utf8'));
    const tns = attr(d.root, 'targetNamespace') ?? '';
    for (const el of d.kids(d.root, NS.xsd, 'element')) {
      const name = attr(el, 'name');
      if (name !== undefined) out.add(qstr({ ns: tns, local: name }));
    }
  }
  return out;
}

// ------------------------------------------------------------------ the expected contract

interface PortSpec {
  portType: string;
  binding: string;
  port: string;
  soapAction: string;
  location: string;
  /** operation name -> [input root, output root] */
  operations: Record<string, [QName, QName]>;
}

interface WsdlSpec {
  file: string;
  name: string;
  targetNamespace: string;
  service: string;
  ports: PortSpec[];
}

const inv = (local: string): QName => ({ ns: NS._inv, local });
const ord = (local: string): QName => ({ ns: NS._ord, local });
const confirmBod: QName = { ns: NS.oa, local: 'ConfirmBOD' };

const INVENTORY_ACTION = 'http://localhost/services/InventoryServices.wsdl';
const ORDER_ACTION = 'http://localhost/services/OrderServices.wsdl';

const EXPECTED: WsdlSpec[] = [
  {
    file: 'InventoryServices.wsdl',
    name: 'InventoryServices',
    targetNamespace: NS._inv,
    service: 'InventoryServices',
    ports: [
      {
        portType: 'InventoryServicesPortType',
        binding: 'InventoryServices',
        port: 'InventoryServices',
        soapAction: INVENTORY_ACTION,
        location: 'http://localhost:8080/webapp/wcs/component/inventory/services/InventoryServices',
        operations: {
          GetInventoryAvailability: [inv('GetInventoryAvailability'), inv('ShowInventoryAvailability')],
          ChangeInventoryAvailability: [inv('ChangeInventoryAvailability'), inv('RespondInventoryAvailability')],
          SyncInventoryAvailability: [inv('SyncInventoryAvailability'), confirmBod],
          ProcessInventoryRequirement: [inv('ProcessInventoryRequirement'), inv('AcknowledgeInventoryRequirement')],
        },
      },
    ],
  },
  {
    file: 'OrderServices.wsdl',
    name: 'OrderServices',
    targetNamespace: NS._ord,
    service: 'OrderServices',
    ports: [
      {
        portType: 'OrderServicesPortType',
        binding: 'OrderServices',
        port: 'OrderServices',
        soapAction: ORDER_ACTION,
        location: 'http://localhost:8080/webapp/wcs/component/order/services/OrderServices',
        operations: {
          GetOrder: [ord('GetOrder'), ord('ShowOrder')],
          ProcessOrder: [ord('ProcessOrder'), ord('AcknowledgeOrder')],
          ChangeOrder: [ord('ChangeOrder'), ord('RespondOrder')],
          SyncOrder: [ord('SyncOrder'), confirmBod],
        },
      },
    ],
  },
  {
    file: 'DOMServices.wsdl',
    name: 'DOMServices',
    targetNamespace: NS.dom,
    service: 'DOMServices',
    ports: [
      {
        portType: 'DOMInventoryServicesPortType',
        binding: 'DOMInventoryServices',
        port: 'DOMInventoryServices',
        soapAction: INVENTORY_ACTION,
        location: 'http://localhost:8090/dom/services/InventoryServices',
        operations: {
          GetInventoryAvailability: [inv('GetInventoryAvailability'), inv('ShowInventoryAvailability')],
          ProcessInventoryRequirement: [inv('ProcessInventoryRequirement'), inv('AcknowledgeInventoryRequirement')],
        },
      },
      {
        portType: 'DOMOrderServicesPortType',
        binding: 'DOMOrderServices',
        port: 'DOMOrderServices',
        soapAction: ORDER_ACTION,
        location: 'http://localhost:8090/dom/services/OrderServices',
        operations: {
          ProcessOrder: [ord('ProcessOrder'), ord('AcknowledgeOrder')],
          GetOrder: [ord('GetOrder'), ord('ShowOrder')],
        },
      },
    ],
  },
];

const VALID_SAMPLES = [
  'SyncInventoryAvailability.xml',
  'ProcessInventoryRequirement-ReserveInventory.xml',
  'AcknowledgeInventoryRequirement-ReserveInventory.xml',
  'ProcessOrder-TransferOrder.xml',
  'ChangeOrder-Create-OrderItem.xml',
  'RespondOrder-Create-OrderItem.xml',
  'ConfirmBOD-SyncInventoryAvailability.xml',
];

// ------------------------------------------------------------------ hand-made documents

const NSDECL =
  `xmlns:oa="${NS.oa}" xmlns:_wcf="${NS._wcf}" xmlns:_inv="${NS._inv}" xmlns:_ord="${NS._ord}" ` +
  'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"';

const APP_AREA = `
  <oa:ApplicationArea xsi:type="_wcf:ApplicationAreaType">
    <oa:CreationDateTime>2024-05-06T10:15:30.812Z</oa:CreationDateTime>
    <oa:BODID>0b7e5a52-1f7c-4a0e-9d55-000000000001</oa:BODID>
  </oa:ApplicationArea>`;

const ORIGINAL_APP_AREA = `
      <oa:OriginalApplicationArea xsi:type="_wcf:ApplicationAreaType">
        <oa:CreationDateTime>2024-05-06T10:15:30.000Z</oa:CreationDateTime>
        <oa:BODID>0b7e5a52-1f7c-4a0e-9d55-000000000000</oa:BODID>
        <_wcf:BusinessContext>
          <_wcf:ContextData name="storeId">10201</_wcf:ContextData>
        </_wcf:BusinessContext>
      </oa:OriginalApplicationArea>`;

const AVAILABILITY_ONLINE = `
    <_inv:InventoryAvailability>
      <_inv:InventoryAvailabilityIdentifier>
        <_wcf:UniqueID>4401</_wcf:UniqueID>
        <_wcf:ExternalIdentifier>
          <_wcf:CatalogEntryIdentifier>
            <_wcf:UniqueID>20311</_wcf:UniqueID>
            <_wcf:ExternalIdentifier>
              <_wcf:PartNumber>TEST-SKU-0001</_wcf:PartNumber>
            </_wcf:ExternalIdentifier>
          </_wcf:CatalogEntryIdentifier>
          <_wcf:OnlineStoreIdentifier>
            <_wcf:UniqueID>10201</_wcf:UniqueID>
            <_wcf:ExternalIdentifier>
              <_wcf:NameIdentifier>ExampleStore</_wcf:NameIdentifier>
            </_wcf:ExternalIdentifier>
          </_wcf:OnlineStoreIdentifier>
        </_wcf:ExternalIdentifier>
      </_inv:InventoryAvailabilityIdentifier>
      <_inv:InventoryStatus>Available</_inv:InventoryStatus>
      <_inv:AvailableQuantity uom="C62">42.0</_inv:AvailableQuantity>
      <_inv:AvailabilityDateTime>2024-05-06T00:00:00.000Z</_inv:AvailabilityDateTime>
      <_inv:AvailabilityOffset>0</_inv:AvailabilityOffset>
      <_inv:LastUpdateDateTime>2024-05-06T08:00:00.000Z</_inv:LastUpdateDateTime>
      <_inv:FulfillmentCenterInventoryAvailability>
        <_inv:FulfillmentCenterIdentifier>
          <_wcf:UniqueID>10101</_wcf:UniqueID>
          <_wcf:Name>DC-EAST</_wcf:Name>
        </_inv:FulfillmentCenterIdentifier>
        <_inv:AvailableQuantity uom="C62">42.0</_inv:AvailableQuantity>
      </_inv:FulfillmentCenterInventoryAvailability>
      <_wcf:UserData>
        <_wcf:UserDataField name="customField1">3</_wcf:UserDataField>
      </_wcf:UserData>
    </_inv:InventoryAvailability>`;

const AVAILABILITY_PHYSICAL = `
    <_inv:InventoryAvailability>
      <_inv:InventoryAvailabilityIdentifier>
        <_wcf:ExternalIdentifier>
          <_wcf:CatalogEntryIdentifier>
            <_wcf:UniqueID>20311</_wcf:UniqueID>
          </_wcf:CatalogEntryIdentifier>
          <_wcf:PhysicalStoreIdentifier>
            <_wcf:UniqueID>7101</_wcf:UniqueID>
            <_wcf:ExternalIdentifier>STORE-7101</_wcf:ExternalIdentifier>
          </_wcf:PhysicalStoreIdentifier>
        </_wcf:ExternalIdentifier>
      </_inv:InventoryAvailabilityIdentifier>
      <_inv:InventoryStatus>Unavailable</_inv:InventoryStatus>
    </_inv:InventoryAvailability>`;

const showInventory = (dataAreaBody: string, appArea = APP_AREA, inVerb = ''): string => `<?xml version="1.0" encoding="UTF-8"?>
<_inv:ShowInventoryAvailability releaseID="9.0" ${NSDECL}>${appArea}
  <_inv:DataArea>
    <oa:Show recordSetCompleteIndicator="true" recordSetCount="2" recordSetStartNumber="0" recordSetTotal="2">${ORIGINAL_APP_AREA}${inVerb}
    </oa:Show>${dataAreaBody}
  </_inv:DataArea>
</_inv:ShowInventoryAvailability>`;

const RESPONSE_CRITERIA = `
    <oa:ResponseCriteria>
      <oa:ChangeStatus>
        <oa:Code>ERROR</oa:Code>
        <oa:Description>The inventory system is not available.</oa:Description>
        <oa:ReasonCode>DOMBRIDGE_DOM_UNAVAILABLE</oa:ReasonCode>
        <oa:Reason>connect ECONNREFUSED</oa:Reason>
      </oa:ChangeStatus>
    </oa:ResponseCriteria>`;

const FULL_ORDER = `
    <_ord:Order shipAsComplete="true">
      <_ord:OrderIdentifier>
        <_wcf:UniqueID>90000101</_wcf:UniqueID>
        <_wcf:ExternalOrderID>WC_90000101</_wcf:ExternalOrderID>
      </_ord:OrderIdentifier>
      <_ord:StoreIdentifier>
        <_wcf:UniqueID>10201</_wcf:UniqueID>
      </_ord:StoreIdentifier>
      <_ord:BuyerIdentifier>
        <_wcf:UniqueID>1100000501</_wcf:UniqueID>
      </_ord:BuyerIdentifier>
      <_ord:OrderAmount>
        <_wcf:GrandTotal currency="USD">57.97</_wcf:GrandTotal>
        <_wcf:TotalProductPrice currency="USD">49.98</_wcf:TotalProductPrice>
        <_wcf:TotalAdjustment currency="USD">0</_wcf:TotalAdjustment>
        <_wcf:TotalShippingCharge currency="USD">7.99</_wcf:TotalShippingCharge>
        <_wcf:TotalSalesTax currency="USD">0.00</_wcf:TotalSalesTax>
        <_wcf:TotalShippingTax currency="USD">0.00</_wcf:TotalShippingTax>
      </_ord:OrderAmount>
      <_ord:OrderPaymentInfo>
        <_ord:PaymentInstruction>
          <_ord:UniqueID>70001</_ord:UniqueID>
          <_ord:Amount currency="USD">57.97</_ord:Amount>
          <_ord:PaymentMethod>
            <_ord:PaymentMethodName>VISA</_ord:PaymentMethodName>
          </_ord:PaymentMethod>
          <_ord:ProtocolData name="cc_brand">VISA</_ord:ProtocolData>
        </_ord:PaymentInstruction>
      </_ord:OrderPaymentInfo>
      <_ord:OrderStatus prepareIndicator="true" locked="false">
        <_ord:Status>S</_ord:Status>
      </_ord:OrderStatus>
      <_ord:PlacedDate>2024-05-06T15:02:10.000Z</_ord:PlacedDate>
      <_ord:OrderItem>
        <_ord:OrderItemIdentifier>
          <_wcf:UniqueID>90001001</_wcf:UniqueID>
        </_ord:OrderItemIdentifier>
        <_ord:CatalogEntryIdentifier>
          <_wcf:ExternalIdentifier>
            <_wcf:PartNumber>TEST-SKU-0001</_wcf:PartNumber>
          </_wcf:ExternalIdentifier>
        </_ord:CatalogEntryIdentifier>
        <_ord:Quantity uom="C62">2</_ord:Quantity>
        <_ord:OrderItemAmount>
          <_wcf:UnitPrice>
            <_wcf:Price currency="USD">24.99</_wcf:Price>
          </_wcf:UnitPrice>
          <_wcf:OrderItemPrice currency="USD">49.98</_wcf:OrderItemPrice>
          <_wcf:TotalAdjustment currency="USD">0</_wcf:TotalAdjustment>
          <_wcf:Adjustment>
            <_wcf:Code>SPRING10</_wcf:Code>
            <_wcf:Amount currency="USD">0</_wcf:Amount>
          </_wcf:Adjustment>
          <_wcf:ShippingCharge currency="USD">7.99</_wcf:ShippingCharge>
        </_ord:OrderItemAmount>
        <_ord:OrderItemShippingInfo>
          <_ord:ShippingMode>
            <_ord:ShippingModeIdentifier>
              <_ord:ExternalIdentifier>
                <_ord:ShipModeCode>Standard</_ord:ShipModeCode>
              </_ord:ExternalIdentifier>
            </_ord:ShippingModeIdentifier>
          </_ord:ShippingMode>
        </_ord:OrderItemShippingInfo>
        <_ord:OrderItemStatus>
          <_ord:Status>D</_ord:Status>
          <_ord:InventoryStatus>Released</_ord:InventoryStatus>
          <_ord:FulfillmentStatus>Shipped</_ord:FulfillmentStatus>
        </_ord:OrderItemStatus>
        <_ord:OrderItemFulfillmentInfo>
          <_ord:AvailableDate>2024-05-06T00:00:00.000Z</_ord:AvailableDate>
          <_ord:ExpectedShipDate>2024-05-07T00:00:00.000Z</_ord:ExpectedShipDate>
          <_ord:TimeReleased>2024-05-06T18:00:00.000Z</_ord:TimeReleased>
          <_ord:TimeShipped>2024-05-07T11:00:00.000Z</_ord:TimeShipped>
          <_wcf:UserData>
            <_wcf:UserDataField name="shipmentId">100045</_wcf:UserDataField>
            <_wcf:UserDataField name="carrier">UPS</_wcf:UserDataField>
            <_wcf:UserDataField name="trackingNumber">1Z999AA10123456784</_wcf:UserDataField>
          </_wcf:UserData>
        </_ord:OrderItemFulfillmentInfo>
      </_ord:OrderItem>
      <_ord:OrderNotificationInfo>
        <_ord:EMail>
          <_wcf:Value>shopper1@example.com</_wcf:Value>
        </_ord:EMail>
        <_ord:ShopperNotify>true</_ord:ShopperNotify>
      </_ord:OrderNotificationInfo>
      <_ord:OrderShippingInfo>
        <_ord:ShippingAddress>
          <_wcf:ContactName>
            <_wcf:LastName>Doe</_wcf:LastName>
          </_wcf:ContactName>
          <_wcf:Address>
            <_wcf:City>Springfield</_wcf:City>
          </_wcf:Address>
          <_wcf:Telephone1>
            <_wcf:Value>555-0100</_wcf:Value>
          </_wcf:Telephone1>
        </_ord:ShippingAddress>
      </_ord:OrderShippingInfo>
      <_wcf:UserData>
        <_wcf:UserDataField name="field1">x</_wcf:UserDataField>
      </_wcf:UserData>
    </_ord:Order>`;

// ------------------------------------------------------------------ tests

describe('contract files (schemas/ and wsdl/)', function () {
  let validator: BodValidator;

  before(async function () {
    validator = await loadBodValidator();
  });

  after(function () {
    validator?.dispose();
  });

  const expectValid = (xml: string, what: string): void => {
    expect(validator.validate(xml), what).to.deep.equal([]);
  };

  const expectInvalid = (xml: string, what: string, pattern: RegExp): void => {
    const errors = validator.validate(xml);
    expect(errors, what).to.not.be.empty;
    expect(errors.join('\n'), what).to.match(pattern);
  };

  describe('(a) well-formed XML', function () {
    it('finds the five schemas and three WSDLs', function () {
      expect(schemaFiles().map((f) => f.slice(SCHEMA_DIR.length + 1))).to.deep.equal([
        'Foundation.xsd',
        'Inventory.xsd',
        'OAGIS9.xsd',
        'Order.xsd',
        'UnqualifiedDataTypes.xsd',
      ]);
      expect(wsdlFiles().map((f) => f.slice(WSDL_DIR.length + 1))).to.deep.equal([
        'DOMServices.wsdl',
        'InventoryServices.wsdl',
        'OrderServices.wsdl',
      ]);
    });

    it('parses every XSD and WSDL', function () {
      for (const file of [...schemaFiles(), ...wsdlFiles()]) {
        const doc = XmlDocument.fromBuffer(readFileSync(file), { url: pathToFileURL(file).href });
        try {
          expect(doc.root.name, file).to.be.oneOf(['schema', 'definitions']);
        } finally {
          doc.dispose();
        }
      }
    });

    it('keeps schema imports as sibling relative locations', function () {
      for (const file of schemaFiles()) {
        const d = new Doc(readFileSync(file, 'utf8'));
        for (const imp of d.kids(d.root, NS.xsd, 'import')) {
          expect(attr(imp, 'schemaLocation'), file).to.match(/^[A-Za-z0-9]+\.xsd$/);
        }
      }
    });
  });

  describe('(b) the XSDs compile', function () {
    it('compiles all five together (the validator covers every file in schemas/)', function () {
      expect(BOD_SCHEMA_FILES.map(([, f]) => f).sort()).to.deep.equal(
        schemaFiles().map((f) => f.slice(SCHEMA_DIR.length + 1)),
      );
      expect(validator).to.have.property('validate');
    });

    it('compiles each XSD on its own', function () {
      // loadBodValidator() has registered the schema files with libxml2, so the imports resolve.
      for (const file of schemaFiles()) {
        const doc = XmlDocument.fromBuffer(readFileSync(file), { url: pathToFileURL(file).href });
        try {
          const v = XsdValidator.fromDoc(doc);
          v.dispose();
        } finally {
          doc.dispose();
        }
      }
    });

    it('declares the target namespaces and qualified elements / unqualified attributes', function () {
      for (const [ns, file] of BOD_SCHEMA_FILES) {
        const d = new Doc(readFileSync(join(SCHEMA_DIR, file), 'utf8'));
        expect(attr(d.root, 'targetNamespace'), file).to.equal(ns);
        expect(attr(d.root, 'elementFormDefault'), file).to.equal('qualified');
        expect(attr(d.root, 'attributeFormDefault'), file).to.equal('unqualified');
      }
    });
  });

  describe('(c) the WSDLs match the wire contract', function () {
    const elements = globalElements();

    for (const spec of EXPECTED) {
      describe(spec.file, function () {
        const d = new Doc(readFileSync(join(WSDL_DIR, spec.file), 'utf8'));
        const tns = spec.targetNamespace;
        const byName = (kind: string): Map<string, XNode> =>
          new Map(d.kids(d.root, NS.wsdl, kind).map((n) => [attr(n, 'name') ?? '', n]));

        it('is a WSDL 1.1 definitions with the contract name and targetNamespace', function () {
          expect(d.qname(d.rootName)).to.deep.equal({ ns: NS.wsdl, local: 'definitions' });
          expect(attr(d.root, 'name')).to.equal(spec.name);
          expect(attr(d.root, 'targetNamespace')).to.equal(tns);
        });

        it('imports the schemas from ../schemas/', function () {
          const types = d.kid(d.root, NS.wsdl, 'types');
          const imports = d.kids(types, NS.xsd, 'schema').flatMap((s) => d.kids(s, NS.xsd, 'import'));
          expect(imports).to.not.be.empty;
          for (const imp of imports) {
            expect(attr(imp, 'schemaLocation')).to.match(/^\.\.\/schemas\/[A-Za-z0-9]+\.xsd$/);
          }
          const located = new Map(BOD_SCHEMA_FILES.map(([ns, f]) => [`../schemas/${f}`, ns]));
          for (const imp of imports) {
            expect(attr(imp, 'namespace')).to.equal(located.get(attr(imp, 'schemaLocation') ?? ''));
          }
        });

        it('has exactly the contract portTypes, bindings, service and ports', function () {
          expect([...byName('portType').keys()].sort()).to.deep.equal(spec.ports.map((p) => p.portType).sort());
          expect([...byName('binding').keys()].sort()).to.deep.equal(spec.ports.map((p) => p.binding).sort());
          const services = d.kids(d.root, NS.wsdl, 'service');
          expect(services.map((s) => attr(s, 'name'))).to.deep.equal([spec.service]);
          const ports = d.kids(services[0] as XNode, NS.wsdl, 'port');
          expect(ports.map((p) => attr(p, 'name')).sort()).to.deep.equal(spec.ports.map((p) => p.port).sort());
        });

        for (const p of spec.ports) {
          it(`port ${p.port}: binding, SOAP 1.1 address and location`, function () {
            const service = d.kid(d.root, NS.wsdl, 'service');
            const port = d.kids(service, NS.wsdl, 'port').find((n) => attr(n, 'name') === p.port) as XNode;
            expect(d.qname(attr(port, 'binding') ?? '')).to.deep.equal({ ns: tns, local: p.binding });
            const address = d.kid(port, NS.soap11, 'address');
            expect(attr(address, 'location')).to.equal(p.location);

            const binding = byName('binding').get(p.binding) as XNode;
            expect(d.qname(attr(binding, 'type') ?? '')).to.deep.equal({ ns: tns, local: p.portType });
            const soapBinding = d.kid(binding, NS.soap11, 'binding');
            expect(attr(soapBinding, 'style')).to.equal('document');
            expect(attr(soapBinding, 'transport')).to.equal('http://schemas.xmlsoap.org/soap/http');
            expect(d.kids(binding, 'http://www.w3.org/ns/ws-policy', 'PolicyReference')).to.be.empty;
          });

          it(`port ${p.port}: exactly the contract operations, one soapAction, literal bodies`, function () {
            const binding = byName('binding').get(p.binding) as XNode;
            const ops = d.kids(binding, NS.wsdl, 'operation');
            expect(ops.map((o) => attr(o, 'name')).sort()).to.deep.equal(Object.keys(p.operations).sort());
            for (const op of ops) {
              const soapOp = d.kid(op, NS.soap11, 'operation');
              expect(attr(soapOp, 'soapAction'), attr(op, 'name')).to.equal(p.soapAction);
              for (const dir of ['input', 'output']) {
                const body = d.kid(d.kid(op, NS.wsdl, dir), NS.soap11, 'body');
                expect(attr(body, 'use')).to.equal('literal');
              }
              expect(d.kids(op, NS.wsdl, 'fault')).to.be.empty;
            }
          });

          it(`port ${p.port}: each message is named after its element, as in Commerce's WSDL`, function () {
            if (spec.file === 'DOMServices.wsdl') this.skip(); // ours, for the simulator; Commerce has no such WSDL
            for (const msg of byName('message').values()) {
              const part = d.kids(msg, NS.wsdl, 'part')[0] as XNode;
              const element = d.qname(attr(part, 'element') ?? '');
              expect(attr(msg, 'name')).to.equal(element.local);
              expect(attr(part, 'name')).to.equal(element.local);
            }
            const portType = byName('portType').get(p.portType) as XNode;
            const sync = d.kids(portType, NS.wsdl, 'operation').find((o) => /^Sync/.test(attr(o, 'name') ?? '')) as XNode;
            const confirmName = spec.file === 'OrderServices.wsdl' ? 'ConfirmOrderBOD' : 'ConfirmInventoryAvailabilityBOD';
            expect(attr(d.kid(sync, NS.wsdl, 'output'), 'name')).to.equal(confirmName);
          });

          it(`port ${p.port}: every message is a single part naming the contract BOD root element`, function () {
            const portType = byName('portType').get(p.portType) as XNode;
            const messages = byName('message');
            const ops = d.kids(portType, NS.wsdl, 'operation');
            expect(ops.map((o) => attr(o, 'name')).sort()).to.deep.equal(Object.keys(p.operations).sort());
            for (const op of ops) {
              const name = attr(op, 'name') ?? '';
              const expected = p.operations[name] as [QName, QName];
              ['input', 'output'].forEach((dir, i) => {
                const ref = d.qname(attr(d.kid(op, NS.wsdl, dir), 'message') ?? '');
                expect(ref.ns, `${name} ${dir}`).to.equal(tns);
                const msg = messages.get(ref.local) as XNode;
                expect(msg, `${name} ${dir} message ${ref.local}`).to.not.equal(undefined);
                const parts = d.kids(msg, NS.wsdl, 'part');
                expect(parts, `${name} ${dir}`).to.have.length(1);
                const part = parts[0] as XNode;
                expect(attr(part, 'type'), `${name} ${dir}`).to.equal(undefined);
                const element = d.qname(attr(part, 'element') ?? '');
                expect(element, `${name} ${dir}`).to.deep.equal(expected[i]);
                expect(elements.has(qstr(element)), `${qstr(element)} is declared in schemas/`).to.equal(true);
              });
            }
          });
        }
      });
    }
  });

  describe('(d) documents against the schemas', function () {
    for (const name of VALID_SAMPLES) {
      it(`sample ${name} is valid`, function () {
        const xml = readFileSync(join(SAMPLE_DIR, name), 'utf8');
        expect(xml.startsWith('<!--'), 'source comment stripped').to.equal(false);
        expectValid(xml, name);
      });
    }

    it('accepts a ShowInventoryAvailability with online and physical store nouns', function () {
      expectValid(showInventory(AVAILABILITY_ONLINE + AVAILABILITY_PHYSICAL), 'show');
    });

    it('accepts the error form Commerce answers in: oa:ResponseCriteria inside the verb, no noun', function () {
      expectValid(showInventory('', APP_AREA, RESPONSE_CRITERIA), 'show error');
    });

    it('rejects ResponseCriteria placed after the verb or the noun', function () {
      expectInvalid(showInventory(RESPONSE_CRITERIA), 'criteria outside the verb', /ResponseCriteria/);
      expectInvalid(showInventory(AVAILABILITY_ONLINE + RESPONSE_CRITERIA), 'late criteria', /ResponseCriteria/);
    });

    it('rejects an unknown inventory status', function () {
      expectInvalid(
        showInventory(AVAILABILITY_PHYSICAL.replace('>Unavailable<', '>InStock<')),
        'status',
        /InStock/,
      );
    });

    it('rejects noun children out of order', function () {
      const swapped = AVAILABILITY_ONLINE.replace(
        '<_inv:InventoryStatus>Available</_inv:InventoryStatus>\n      <_inv:AvailableQuantity uom="C62">42.0</_inv:AvailableQuantity>',
        '<_inv:AvailableQuantity uom="C62">42.0</_inv:AvailableQuantity>\n      <_inv:InventoryStatus>Available</_inv:InventoryStatus>',
      );
      expect(swapped).to.not.equal(AVAILABILITY_ONLINE);
      expectInvalid(showInventory(swapped), 'order', /InventoryStatus/);
    });

    it('requires CreationDateTime in the application area', function () {
      const noTime = APP_AREA.replace(/\s*<oa:CreationDateTime>[^<]*<\/oa:CreationDateTime>/, '');
      expectInvalid(showInventory(AVAILABILITY_PHYSICAL, noTime), 'no CreationDateTime', /CreationDateTime/);
    });

    it('needs xsi:type="_wcf:ApplicationAreaType" for a _wcf:BusinessContext', function () {
      const plain = `
  <oa:ApplicationArea>
    <oa:CreationDateTime>2024-05-06T10:15:30.812Z</oa:CreationDateTime>
    <_wcf:BusinessContext/>
  </oa:ApplicationArea>`;
      expectInvalid(showInventory(AVAILABILITY_PHYSICAL, plain), 'no xsi:type', /BusinessContext/);
      expectValid(
        showInventory(AVAILABILITY_PHYSICAL, plain.replace('<oa:ApplicationArea>', '<oa:ApplicationArea xsi:type="_wcf:ApplicationAreaType">')),
        'with xsi:type',
      );
    });

    it('accepts the _wcf:ApplicationArea substitution form and an empty releaseID', function () {
      const xml = `<_ord:SyncOrder releaseID="" ${NSDECL}>
  <_wcf:ApplicationArea>
    <oa:CreationDateTime>2024-05-07T11:00:00Z</oa:CreationDateTime>
    <_wcf:BusinessContext>
      <_wcf:ContextData name="storeId">10201</_wcf:ContextData>
    </_wcf:BusinessContext>
  </_wcf:ApplicationArea>
  <_ord:DataArea>
    <oa:Sync>
      <oa:ActionCriteria>
        <oa:ActionExpression actionCode="Change" expressionLanguage="_wcf:XPath"/>
      </oa:ActionCriteria>
    </oa:Sync>
    <_ord:Order>
      <_ord:OrderIdentifier>
        <_wcf:UniqueID>90000101</_wcf:UniqueID>
      </_ord:OrderIdentifier>
    </_ord:Order>
  </_ord:DataArea>
</_ord:SyncOrder>`;
      expectValid(xml, 'SyncOrder');
      expectInvalid(xml.replace(' releaseID=""', ''), 'no releaseID', /releaseID/);
    });

    it('accepts a ShowOrder using every part of the Order noun', function () {
      const xml = `<_ord:ShowOrder releaseID="9.0" versionID="7.0.0.6" ${NSDECL}>${APP_AREA}
  <_ord:DataArea>
    <oa:Show recordSetCompleteIndicator="true" recordSetCount="1" recordSetStartNumber="0" recordSetTotal="1">${ORIGINAL_APP_AREA}
    </oa:Show>${FULL_ORDER}
  </_ord:DataArea>
</_ord:ShowOrder>`;
      expectValid(xml, 'ShowOrder');
      expectInvalid(xml.replace('<_ord:Status>S</_ord:Status>', '<_ord:Status>shipped</_ord:Status>'), 'status code', /shipped/);
    });

    it('accepts an AcknowledgeOrder error response and a date-only echoed CreationDateTime', function () {
      const xml = `<_ord:AcknowledgeOrder releaseID="9.0" ${NSDECL}>${APP_AREA}
  <_ord:DataArea>
    <oa:Acknowledge>
      <oa:OriginalApplicationArea>
        <oa:CreationDateTime>2024-05-07Z</oa:CreationDateTime>
      </oa:OriginalApplicationArea>${RESPONSE_CRITERIA}
    </oa:Acknowledge>
  </_ord:DataArea>
</_ord:AcknowledgeOrder>`;
      expectValid(xml, 'AcknowledgeOrder');
    });

    it('accepts a ConfirmBOD with a failure or no outcome, and rejects one without its application area or naming both noun kinds', function () {
      const confirm = (outcome: string): string => `<oa:ConfirmBOD releaseID="9.0" ${NSDECL}>${APP_AREA}
  <oa:DataArea>
    <oa:Confirm>${ORIGINAL_APP_AREA}
    </oa:Confirm>
    <oa:BOD>${ORIGINAL_APP_AREA}${outcome}
    </oa:BOD>
  </oa:DataArea>
</oa:ConfirmBOD>`;
      expectValid(
        confirm(`
      <oa:BODFailureMessage>
        <oa:ErrorProcessMessage>
          <oa:Description>Order 90000101 does not exist.</oa:Description>
          <oa:ReasonCode>DOMBRIDGE_ORDER_NOT_FOUND</oa:ReasonCode>
        </oa:ErrorProcessMessage>
        <oa:NounFailureMessage>
          <oa:ErrorProcessMessage>
            <oa:Description>Order 90000101 does not exist.</oa:Description>
          </oa:ErrorProcessMessage>
        </oa:NounFailureMessage>
      </oa:BODFailureMessage>`),
        'failure',
      );
      expectValid(
        confirm(`
      <oa:PartialBODFailureMessage>
        <oa:NounFailureMessage>
          <oa:ErrorProcessMessage>
            <oa:Description>unknown item</oa:Description>
          </oa:ErrorProcessMessage>
        </oa:NounFailureMessage>
      </oa:PartialBODFailureMessage>`),
        'partial',
      );
      // OAGIS's BODType makes each outcome optional: a BOD with none is valid; its OriginalApplicationArea is not.
      expectValid(confirm(''), 'no outcome');
      expectInvalid(confirm('').replace(/<oa:BOD>[\s\S]*?<\/oa:OriginalApplicationArea>/, '<oa:BOD>'), 'no original application area', /OriginalApplicationArea/);
      // A failure message names the failed nouns or the applied ones, never both.
      expectInvalid(
        confirm(`
      <oa:PartialBODFailureMessage>
        <oa:NounSuccessMessage/>
        <oa:NounFailureMessage/>
      </oa:PartialBODFailureMessage>`),
        'both noun kinds',
        /NounFailureMessage/,
      );
    });

    describe("Commerce's facts the first reading missed", function () {
      const showOrder = (show: string, order: string): string => `<_ord:ShowOrder releaseID="9.0" ${NSDECL}>${APP_AREA}
  <_ord:DataArea>${show}${order}
  </_ord:DataArea>
</_ord:ShowOrder>`;
      const SHOW = `<oa:Show recordSetCompleteIndicator="true" recordSetCount="1" recordSetStartNumber="0" recordSetTotal="1">${ORIGINAL_APP_AREA}</oa:Show>`;

      it('recordSetCount and recordSetTotal are positive integers; recordSetStartNumber may be 0', function () {
        expectValid(showOrder('<oa:Show recordSetCompleteIndicator="true" recordSetStartNumber="0"/>', ''), 'empty answer without counts');
        expectInvalid(showOrder('<oa:Show recordSetCount="0" recordSetStartNumber="0"/>', ''), 'count 0', /recordSetCount/);
        expectInvalid(showOrder('<oa:Show recordSetTotal="0"/>', ''), 'total 0', /recordSetTotal/);
      });

      it('OrderItemAmount follows OrderItemChargesType: TotalAdjustment right after OrderItemPrice', function () {
        const item = (amounts: string) => `<_ord:Order><_ord:OrderItem><_ord:OrderItemAmount>${amounts}</_ord:OrderItemAmount></_ord:OrderItem></_ord:Order>`;
        const price = '<_wcf:UnitPrice><_wcf:Price currency="USD">24.99</_wcf:Price></_wcf:UnitPrice><_wcf:OrderItemPrice currency="USD">24.99</_wcf:OrderItemPrice>';
        const rest = '<_wcf:ShippingCharge currency="USD">7.99</_wcf:ShippingCharge><_wcf:SalesTax currency="USD">0</_wcf:SalesTax><_wcf:ShippingTax currency="USD">0</_wcf:ShippingTax>';
        const adj = '<_wcf:TotalAdjustment currency="USD">-5.00</_wcf:TotalAdjustment>';
        expectValid(showOrder(SHOW, item(price + adj + rest)), 'Commerce order');
        expectInvalid(showOrder(SHOW, item(price + rest + adj)), 'TotalAdjustment last', /TotalAdjustment/);
      });

      it('an Order has no Shipment element, and its notification info comes before its shipping info', function () {
        expectInvalid(showOrder(SHOW, '<_ord:Order><_ord:Shipment/></_ord:Order>'), 'Shipment', /Shipment/);
        expectInvalid(showOrder(SHOW, '<_ord:Order><_ord:OrderShippingInfo/><_ord:OrderNotificationInfo/></_ord:Order>'), 'order', /OrderNotificationInfo/);
        expectValid(showOrder(SHOW, '<_ord:Order><_ord:OrderNotificationInfo/><_ord:OrderShippingInfo/></_ord:Order>'), 'Commerce order');
      });

      it('RespondOrder and RespondInventoryAvailability hold at least one noun, also beside an error', function () {
        const respond = (root: string, comp: string, noun: string) => `<${comp}:${root} releaseID="9.0" ${NSDECL}>${APP_AREA}
  <${comp}:DataArea><oa:Respond>${RESPONSE_CRITERIA}</oa:Respond>${noun}</${comp}:DataArea>
</${comp}:${root}>`;
        expectInvalid(respond('RespondOrder', '_ord', ''), 'no Order', /Order/);
        expectValid(respond('RespondOrder', '_ord', '<_ord:Order><_ord:OrderIdentifier><_wcf:UniqueID>90000101</_wcf:UniqueID></_ord:OrderIdentifier></_ord:Order>'), 'echoed Order');
        expectInvalid(respond('RespondInventoryAvailability', '_inv', ''), 'no noun', /InventoryAvailability/);
        expectValid(respond('RespondInventoryAvailability', '_inv', '<_inv:InventoryAvailability/>'), 'a noun');
      });

      it('answer verbs hold no ActionCriteria; request verbs hold no OriginalApplicationArea', function () {
        const ack = (verb: string) => `<_ord:AcknowledgeOrder releaseID="9.0" ${NSDECL}>${APP_AREA}
  <_ord:DataArea>${verb}</_ord:DataArea>
</_ord:AcknowledgeOrder>`;
        expectInvalid(ack('<oa:Acknowledge><oa:ActionCriteria><oa:ActionExpression actionCode="Prepare">/Order[1]</oa:ActionExpression></oa:ActionCriteria></oa:Acknowledge>'), 'ActionCriteria in Acknowledge', /ActionCriteria/);
        expectValid(ack(`<oa:Acknowledge>${ORIGINAL_APP_AREA}</oa:Acknowledge>`), 'Acknowledge');
      });

      it('ProtocolData is simple content with a required name attribute', function () {
        const order = (pd: string) => showOrder(SHOW, `<_ord:Order><_ord:OrderPaymentInfo><_ord:PaymentInstruction>${pd}</_ord:PaymentInstruction></_ord:OrderPaymentInfo></_ord:Order>`);
        expectValid(order('<_ord:ProtocolData name="account">************1111</_ord:ProtocolData>'), 'Commerce form');
        expectInvalid(order('<_ord:ProtocolData><_ord:Name>account</_ord:Name><_ord:Value>4111</_ord:Value></_ord:ProtocolData>'), 'Name/Value children', /ProtocolData/);
      });

      it('status codes: Commerce lists no I or J; extensions start with x', function () {
        const status = (code: string) => showOrder(SHOW, `<_ord:Order><_ord:OrderStatus><_ord:Status>${code}</_ord:Status></_ord:OrderStatus></_ord:Order>`);
        expectValid(status('G'), 'G');
        expectValid(status('xMYSTATUS'), 'extension');
        expectInvalid(status('I'), 'I', /Status/);
      });

      it('at most three address lines; a fulfillment center availability has no status', function () {
        const lines = (n: number) => showOrder(SHOW, `<_ord:Order><_ord:OrderItem><_ord:OrderItemShippingInfo><_ord:ShippingAddress><_wcf:Address>${'<_wcf:AddressLine>x</_wcf:AddressLine>'.repeat(n)}</_wcf:Address></_ord:ShippingAddress></_ord:OrderItemShippingInfo></_ord:OrderItem></_ord:Order>`);
        expectValid(lines(3), 'three lines');
        expectInvalid(lines(4), 'four lines', /AddressLine/);
        expectInvalid(showInventory(AVAILABILITY_ONLINE.replace('<_inv:AvailableQuantity uom="C62">42.0</_inv:AvailableQuantity>\n      </_inv:FulfillmentCenterInventoryAvailability>', '<_inv:InventoryStatus>Available</_inv:InventoryStatus>\n      </_inv:FulfillmentCenterInventoryAvailability>')), 'status per center', /InventoryStatus/);
      });

      it("accepts DOM's xsi:type=\"udt:DateTimeType\" on CreationDateTime", function () {
        const typed = APP_AREA.replace('<oa:CreationDateTime>', '<oa:CreationDateTime xmlns:udt="http://www.openapplications.org/oagis/9/unqualifieddatatypes/1.1" xsi:type="udt:DateTimeType">');
        expectValid(showInventory(AVAILABILITY_PHYSICAL, typed), 'typed CreationDateTime');
      });
    });

    it('reports malformed XML instead of throwing', function () {
      const errors = validator.validate('<oa:ConfirmBOD');
      expect(errors).to.not.be.empty;
      expect(errors[0]).to.match(/^not well-formed/);
    });
  });

  describe('(e) node-soap loads the WSDLs', function () {
    for (const spec of EXPECTED) {
      it(`describes ${spec.file}`, async function () {
        const client = await soap.createClientAsync(join(WSDL_DIR, spec.file));
        const description = client.describe() as Record<string, Record<string, Record<string, unknown>>>;
        const service = description[spec.service];
        expect(service, spec.service).to.not.equal(undefined);
        for (const p of spec.ports) {
          expect(Object.keys(service?.[p.port] ?? {}).sort(), p.port).to.deep.equal(Object.keys(p.operations).sort());
        }
      });
    }
  });
});
