import { expect } from 'chai';
import {
  expressionErrorDetail,
  parseAvailabilityExpression,
  type AvailabilityQuery,
  type ExpressionLimits,
  type ExpressionParseResult,
} from '../../src/inventory/availability-expression.js';

const HEAD = '/InventoryAvailability[InventoryAvailabilityIdentifier/ExternalIdentifier[';
const wrap = (body: string): string => `${HEAD}${body}]]`;

function parsed(text: string): AvailabilityQuery {
  const r = parseAvailabilityExpression(text);
  if (!r.ok) throw new Error(`expected success, got: ${r.reason} (position ${r.position})`);
  return r.query;
}

function rejected(text: string, limits?: ExpressionLimits): Extract<ExpressionParseResult, { ok: false }> {
  const r = parseAvailabilityExpression(text, limits);
  if (r.ok) throw new Error(`expected a rejection, got ${JSON.stringify(r.query)}`);
  return r;
}

describe('parseAvailabilityExpression', () => {
  describe('accepted forms', () => {
    it('parses item by unique id at an online store by unique id', () => {
      const q = parsed(wrap("CatalogEntryIdentifier[(UniqueID='20311')] and OnlineStoreIdentifier[(UniqueID='10201')]"));
      expect(q).to.deep.equal({
        catalogEntries: [{ by: 'uniqueId', value: '20311' }],
        locations: [{ kind: 'online', by: 'uniqueId', value: '10201' }],
      });
    });

    it('reads the access-profile prefix', () => {
      const q = parsed(
        `{_wcf.ap=IBM_Store_Details}${wrap("CatalogEntryIdentifier[(UniqueID='20311')] and OnlineStoreIdentifier[(UniqueID='10201')]")}`,
      );
      expect(q.accessProfile).to.equal('IBM_Store_Details');
      expect(q.catalogEntries).to.deep.equal([{ by: 'uniqueId', value: '20311' }]);
    });

    it('leaves accessProfile absent when there is no prefix', () => {
      const q = parsed(wrap("CatalogEntryIdentifier[(UniqueID='1')]"));
      expect(q).to.not.have.property('accessProfile');
    });

    it('parses the sample request expression (with &apos; already decoded)', () => {
      const q = parsed(
        "{_wcf.ap=IBM_Store_Details}/InventoryAvailability[InventoryAvailabilityIdentifier/ExternalIdentifier[CatalogEntryIdentifier[(UniqueID='20311')] and OnlineStoreIdentifier[(UniqueID='10201')]]]",
      );
      expect(q.locations).to.deep.equal([{ kind: 'online', by: 'uniqueId', value: '10201' }]);
    });

    it('parses an online-or-physical location group', () => {
      const q = parsed(
        wrap("CatalogEntryIdentifier[(UniqueID='20311')] and (OnlineStoreIdentifier[(UniqueID='10201')] or PhysicalStoreIdentifier[(UniqueID='7101')])"),
      );
      expect(q.locations).to.deep.equal([
        { kind: 'online', by: 'uniqueId', value: '10201' },
        { kind: 'physical', by: 'uniqueId', value: '7101' },
      ]);
    });

    it('parses part number and store name identifier through ExternalIdentifier', () => {
      const q = parsed(
        wrap(
          "CatalogEntryIdentifier/ExternalIdentifier[(PartNumber='TEST-SKU-0001')] and OnlineStoreIdentifier/ExternalIdentifier[(NameIdentifier='ExtendedSitesCatalogAssetStore')]",
        ),
      );
      expect(q.catalogEntries).to.deep.equal([{ by: 'partNumber', value: 'TEST-SKU-0001' }]);
      expect(q.locations).to.deep.equal([{ kind: 'online', by: 'nameIdentifier', value: 'ExtendedSitesCatalogAssetStore' }]);
    });

    it('keeps a leading-zero part number exactly as written', () => {
      const q = parsed(wrap("CatalogEntryIdentifier/ExternalIdentifier[(PartNumber='000123')]"));
      expect(q.catalogEntries).to.deep.equal([{ by: 'partNumber', value: '000123' }]);
    });

    it('parses several items joined with or', () => {
      const q = parsed(wrap("CatalogEntryIdentifier[(UniqueID='20311' or UniqueID='20312')] and OnlineStoreIdentifier[(UniqueID='10201')]"));
      expect(q.catalogEntries.map((c) => c.value)).to.deep.equal(['20311', '20312']);
    });

    it('parses several physical stores', () => {
      const q = parsed(wrap("CatalogEntryIdentifier[(UniqueID='1')] and PhysicalStoreIdentifier[(UniqueID='7101' or UniqueID='7102')]"));
      expect(q.locations).to.deep.equal([
        { kind: 'physical', by: 'uniqueId', value: '7101' },
        { kind: 'physical', by: 'uniqueId', value: '7102' },
      ]);
    });

    it('parses a physical store by external identifier', () => {
      const q = parsed(wrap("CatalogEntryIdentifier[(UniqueID='1')] and PhysicalStoreIdentifier[(ExternalIdentifier='STORE-7101')]"));
      expect(q.locations).to.deep.equal([{ kind: 'physical', by: 'externalId', value: 'STORE-7101' }]);
    });

    it('accepts predicates without the inner parentheses', () => {
      const q = parsed(wrap("CatalogEntryIdentifier[UniqueID='20311' or UniqueID='2'] and OnlineStoreIdentifier[UniqueID='10201']"));
      expect(q.catalogEntries).to.have.length(2);
      expect(q.locations).to.have.length(1);
    });

    it('accepts double quotes and values containing the other quote and odd characters', () => {
      const q = parsed(wrap(`CatalogEntryIdentifier/ExternalIdentifier[(PartNumber="O'Brien ]) or [x")]`));
      expect(q.catalogEntries).to.deep.equal([{ by: 'partNumber', value: "O'Brien ]) or [x" }]);
    });

    it('allows whitespace between every token', () => {
      const q = parsed(
        " { _wcf.ap = IBM_Store_Details } / InventoryAvailability [ InventoryAvailabilityIdentifier / ExternalIdentifier [\n" +
          "  CatalogEntryIdentifier [ ( UniqueID = '1' ) ]\tand ( OnlineStoreIdentifier [ ( UniqueID = '2' ) ] ) ] ] \r\n",
      );
      expect(q.accessProfile).to.equal('IBM_Store_Details');
      expect(q.locations).to.deep.equal([{ kind: 'online', by: 'uniqueId', value: '2' }]);
    });

    it('parses any number of mixed locations in nested or-groups, in written order', () => {
      const q = parsed(
        wrap(
          "CatalogEntryIdentifier[(UniqueID='1')] and (PhysicalStoreIdentifier[(UniqueID='7101')] or OnlineStoreIdentifier/ExternalIdentifier[(NameIdentifier='S')]" +
            " or (OnlineStoreIdentifier[(UniqueID='10201')] or PhysicalStoreIdentifier[(ExternalIdentifier='X-1')]))",
        ),
      );
      expect(q.locations).to.deep.equal([
        { kind: 'physical', by: 'uniqueId', value: '7101' },
        { kind: 'online', by: 'nameIdentifier', value: 'S' },
        { kind: 'online', by: 'uniqueId', value: '10201' },
        { kind: 'physical', by: 'externalId', value: 'X-1' },
      ]);
    });

    it('returns no locations when only a catalog entry is given', () => {
      const q = parsed(wrap("CatalogEntryIdentifier[(UniqueID='20311')]"));
      expect(q.locations).to.deep.equal([]);
    });

    it('removes duplicates, keeping the first occurrence', () => {
      const q = parsed(
        wrap(
          "CatalogEntryIdentifier[(UniqueID='2' or UniqueID='1' or UniqueID='2')] and (OnlineStoreIdentifier[(UniqueID='9')] or PhysicalStoreIdentifier[(UniqueID='9')] or OnlineStoreIdentifier[(UniqueID='9')])",
        ),
      );
      expect(q.catalogEntries.map((c) => c.value)).to.deep.equal(['2', '1']);
      // Same value, different kind: not a duplicate.
      expect(q.locations.map((l) => l.kind)).to.deep.equal(['online', 'physical']);
    });

    it('accepts exactly 1000 values once the length cap allows that many', () => {
      const ids = Array.from({ length: 1000 }, (_, i) => `UniqueID='${i}'`).join(' or ');
      const r = parseAvailabilityExpression(wrap(`CatalogEntryIdentifier[(${ids})]`), { maxLength: 100_000 });
      expect(r.ok && r.query.catalogEntries).to.have.length(1000);
    });
  });

  describe('rejections', () => {
    function expectRejected(text: string, position: number, reason: RegExp, limits?: ExpressionLimits): void {
      const r = rejected(text, limits);
      expect(r.reason).to.match(reason);
      expect(r.position, r.reason).to.equal(position);
      // The position is stated once, by expressionErrorDetail, never again inside the reason.
      expect(r.reason).not.to.match(/position|character \d/);
      const detail = expressionErrorDetail(r);
      expect(detail.match(/position \d+|character \d+/g), detail).to.deep.equal([`character ${position + 1}`]);
    }

    it('rejects an empty expression', () => {
      expectRejected('   ', 0, /empty/);
    });

    it('rejects an unknown root element', () => {
      expectRejected("/Inventory[InventoryAvailabilityIdentifier/ExternalIdentifier[CatalogEntryIdentifier[(UniqueID='1')]]]", 1, /expected 'InventoryAvailability'.*'Inventory'/);
    });

    it('rejects an unsupported predicate name', () => {
      const text = wrap("CatalogEntryIdentifier[(Foo='1')]");
      expectRejected(text, text.indexOf('Foo'), /unsupported predicate 'Foo'.*UniqueID/);
    });

    it('rejects PartNumber on the plain CatalogEntryIdentifier', () => {
      const text = wrap("CatalogEntryIdentifier[(PartNumber='A')]");
      expectRejected(text, text.indexOf('PartNumber'), /unsupported predicate 'PartNumber'/);
    });

    it('rejects an unknown location element', () => {
      const text = wrap("CatalogEntryIdentifier[(UniqueID='1')] and WarehouseIdentifier[(UniqueID='2')]");
      expectRejected(text, text.indexOf('Warehouse'), /unsupported location 'WarehouseIdentifier'/);
    });

    it('rejects and between two values of the same identifier', () => {
      const text = wrap("CatalogEntryIdentifier[(UniqueID='1' and UniqueID='2')]");
      expectRejected(text, text.indexOf(' and ') + 1, /'and'.*use 'or'/);
    });

    it('rejects and between two locations', () => {
      const text = wrap("CatalogEntryIdentifier[(UniqueID='1')] and OnlineStoreIdentifier[(UniqueID='2')] and PhysicalStoreIdentifier[(UniqueID='3')]");
      expectRejected(text, text.lastIndexOf(' and ') + 1, /second 'and'/);
    });

    it('rejects an ungrouped or between locations', () => {
      const text = wrap("CatalogEntryIdentifier[(UniqueID='1')] and OnlineStoreIdentifier[(UniqueID='2')] or PhysicalStoreIdentifier[(UniqueID='3')]");
      expectRejected(text, text.indexOf(' or ') + 1, /parentheses/);
    });

    it('rejects an empty value', () => {
      const text = wrap("CatalogEntryIdentifier[(UniqueID='')]");
      expectRejected(text, text.indexOf("''"), /empty value/);
    });

    it('rejects an unquoted value', () => {
      const text = wrap('CatalogEntryIdentifier[(UniqueID=20311)]');
      expectRejected(text, text.indexOf('20311'), /must be quoted/);
    });

    it('rejects a missing closing parenthesis', () => {
      const text = wrap("CatalogEntryIdentifier[(UniqueID='1']");
      expectRejected(text, text.indexOf("']") + 1, /expected '\)'/);
    });

    it('rejects missing closing brackets', () => {
      const text = `${HEAD}CatalogEntryIdentifier[(UniqueID='1')]`;
      expectRejected(text, text.length, /expected '\]'.*end of the expression/);
    });

    it('rejects a missing opening bracket', () => {
      const text = wrap("CatalogEntryIdentifier(UniqueID='1')");
      expectRejected(text, text.indexOf('(UniqueID'), /expected '\['/);
    });

    it('rejects trailing garbage', () => {
      const text = `${wrap("CatalogEntryIdentifier[(UniqueID='1')]")} extra`;
      expectRejected(text, text.indexOf('extra'), /unexpected 'extra'/);
    });

    it('rejects an unterminated string at its opening quote', () => {
      const text = wrap("CatalogEntryIdentifier[(UniqueID='1)]");
      expectRejected(text, text.indexOf("'"), /unterminated string/);
    });

    it('rejects a character outside the grammar', () => {
      const text = wrap("CatalogEntryIdentifier[(@UniqueID='1')]");
      expectRejected(text, text.indexOf('@'), /unexpected character '@'/);
    });

    it('rejects the PhysicalStoreIdentifier/ExternalIdentifier form with a hint', () => {
      const text = wrap("CatalogEntryIdentifier[(UniqueID='1')] and PhysicalStoreIdentifier/ExternalIdentifier[(.='S')]");
      expectRejected(text, text.indexOf('/ExternalIdentifier[(.'), /PhysicalStoreIdentifier\[\(ExternalIdentifier=/);
    });

    it('rejects a missing catalog entry', () => {
      const text = wrap("OnlineStoreIdentifier[(UniqueID='1')]");
      expectRejected(text, HEAD.length, /expected 'CatalogEntryIdentifier'/);
    });

    it('rejects an unknown access-profile key', () => {
      expectRejected(`{_wcf.dl=1}${wrap("CatalogEntryIdentifier[(UniqueID='1')]")}`, 1, /expected '_wcf.ap'/);
    });

    it('rejects an expression longer than 8192 characters', () => {
      const text = wrap(`CatalogEntryIdentifier[(UniqueID='${'9'.repeat(8200)}')]`);
      expectRejected(text, 8192, /longer than 8192/);
    });

    it('rejects more than 1000 values at the 1001st', () => {
      const ids = Array.from({ length: 1001 }, (_, i) => `UniqueID='${i}'`).join(' or ');
      const text = wrap(`CatalogEntryIdentifier[(${ids})]`);
      expectRejected(text, text.indexOf("'1000'"), /more than 1000 values/, { maxLength: 100_000 });
    });

    it('rejects location groups nested too deeply without blowing the stack', () => {
      const text = wrap(`CatalogEntryIdentifier[(UniqueID='1')] and ${'('.repeat(40)}OnlineStoreIdentifier[(UniqueID='2')]${')'.repeat(40)}`);
      expectRejected(text, text.indexOf('(', text.indexOf(' and ')) + 32, /nested/);
    });
  });
});
