import { expect } from 'chai';
import { canonicalLines } from '../../src/replay/canonical-xml.js';
import { JsonSyntaxError, parseJsonSource } from '../../src/replay/json-source.js';
import { unifiedDiff } from '../../src/replay/line-diff.js';
import { reverseSubstitution, substitute, UnknownVariableError, variableRefs } from '../../src/replay/variables.js';
import { evaluateCondition, parseCondition, parsePath, PathSyntaxError, selectAll, hitValue } from '../../src/replay/xml-path.js';
import { writePrettyXml } from '../../src/replay/xml-pretty.js';
import { readXml } from '../../src/xml/xml-reader.js';

const ORD = 'http://www.ibm.com/xmlns/prod/commerce/9/order';
const WCF = 'http://www.ibm.com/xmlns/prod/commerce/9/foundation';
const NONE = { ignore: [], match: [] };

describe('replay building blocks', function () {
  describe('JSON with lines', function () {
    it('remembers the line of every value and key', function () {
      const n = parseJsonSource('{\n  "a": 1,\n  "b": [\n    "x"\n  ]\n}');
      expect(n.kind === 'object' && n.entries.map((e) => [e.key, e.keyLine, e.value.line])).to.deep.equal([['a', 2, 2], ['b', 3, 3]]);
    });

    it('reports syntax errors with line and column', function () {
      for (const [text, line, message] of [['{\n "a": 1\n "b": 2\n}', 3, 'expected , or } after the value of "a"'], ['[1,]', 1, 'trailing comma'], ['{"a":1,"a":2}', 1, 'duplicate key "a"'], ['{"a": "x\n"}', 1, 'unterminated string']] as const) {
        try {
          parseJsonSource(text);
          expect.fail(`no error for ${text}`);
        } catch (e) {
          expect(e).to.be.instanceOf(JsonSyntaxError);
          expect((e as JsonSyntaxError).line).to.equal(line);
          expect((e as Error).message).to.contain(message);
        }
      }
    });
  });

  describe('paths', function () {
    const doc = readXml(`<o:ShowOrder xmlns:o="${ORD}" xmlns:w="${WCF}"><o:DataArea><o:Order><o:OrderItem><o:Q uom="C62">1</o:Q></o:OrderItem><o:OrderItem><o:Q uom="KG">2</o:Q></o:OrderItem>` +
      `<w:UserData><w:UserDataField name="a">x</w:UserDataField><w:UserDataField name="b">y</w:UserDataField></w:UserData></o:Order></o:DataArea></o:ShowOrder>`);
    const values = (p: string) => selectAll(doc, parsePath(p)).map(hitValue);

    it('select by local name, position, attribute filter, any depth and attribute', function () {
      expect(values('DataArea/Order/OrderItem/Q')).to.deep.equal(['1', '2']);
      expect(values('DataArea/Order/OrderItem[2]/Q')).to.deep.equal(['2']);
      expect(values("**/UserDataField[@name='b']")).to.deep.equal(['y']);
      expect(values('**/Q/@uom')).to.deep.equal(['C62', 'KG']);
      expect(values('DataArea/*/OrderItem[1]/Q')).to.deep.equal(['1']);
      expect(values('/DataArea/Order/Nothing')).to.deep.equal([]);
    });

    it('refuse what they cannot mean', function () {
      for (const bad of ['', 'a//b', 'a/**', '@x/y', 'a[0]', 'a[b=1]']) expect(() => parsePath(bad), bad).to.throw(PathSyntaxError);
    });

    it('evaluate waitFor conditions and say what they saw', function () {
      expect(evaluateCondition(doc, parseCondition("**/Q = '2'")).ok).to.equal(true);
      expect(evaluateCondition(doc, parseCondition("**/Q = '3' and DataArea")).ok).to.equal(false);
      expect(evaluateCondition(doc, parseCondition("**/Q != '3'"))).to.deep.equal({ ok: true, seen: "**/Q = '1', '2'" });
      expect(evaluateCondition(doc, parseCondition('DataArea/Missing')).seen).to.equal('DataArea/Missing selects nothing');
    });
  });

  describe('canonical form', function () {
    it('is the same whatever prefixes, attribute order and indentation the sender chose', function () {
      const a = readXml(`<o:X xmlns:o="${ORD}" xmlns:w="${WCF}" b="2" a="1">\n  <w:Y>t</w:Y>\n</o:X>`);
      const b = readXml(`<X xmlns="${ORD}" a="1" b="2"><Y xmlns="${WCF}">t</Y></X>`);
      expect(canonicalLines(a, NONE, 'actual')).to.deep.equal(canonicalLines(b, NONE, 'actual'));
      expect(canonicalLines(a, NONE, 'actual')).to.deep.equal(['<_ord:X a="1" b="2">', '  <_wcf:Y>t</_wcf:Y>', '</_ord:X>']);
    });

    it('masks ignored elements and shows match rules as their pattern', function () {
      const doc = readXml(`<o:X xmlns:o="${ORD}"><o:Id>1Z123</o:Id><o:When at="now">today</o:When></o:X>`);
      const rules = { ignore: [parsePath('When/@at'), parsePath('When')], match: [{ path: parsePath('Id'), pattern: /^1Z\d+$/ }] };
      expect(canonicalLines(doc, rules, 'actual')).to.deep.equal(['<_ord:X>', '  <_ord:Id>(matches /^1Z\\d+$/)</_ord:Id>', '  <_ord:When>(ignored)</_ord:When>', '</_ord:X>']);
      const wrong = readXml(`<o:X xmlns:o="${ORD}"><o:Id>XX</o:Id><o:When/></o:X>`);
      expect(canonicalLines(wrong, rules, 'actual')[1]).to.equal('  <_ord:Id>XX</_ord:Id>');
    });
  });

  describe('line diff', function () {
    it('is a unified diff with context', function () {
      const e = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
      const a = ['a', 'b', 'c', 'D', 'e', 'f', 'g', 'h', 'i'];
      expect(unifiedDiff(e, a, { expected: 'E', actual: 'A' }, 1)).to.equal(['--- E', '+++ A', '@@ -3,3 +3,3 @@', ' c', '-d', '+D', ' e', '@@ -8,1 +8,2 @@', ' h', '+i'].join('\n'));
      expect(unifiedDiff(e, e, { expected: 'E', actual: 'A' })).to.equal('');
    });
  });

  describe('variables', function () {
    it('substitute, escape for XML, and report unknown ones with their line', function () {
      expect(substitute('<a>${x}</a> $${x}', new Map([['x', 'A&B']]), (v) => v.replace('&', '&amp;'))).to.equal('<a>A&amp;B</a> ${x}');
      expect(() => substitute('a\n${nope}', new Map())).to.throw(UnknownVariableError).with.property('line', 2);
      expect(variableRefs('${a}\n${b c}').map((r) => [r.name, r.line, r.valid])).to.deep.equal([['a', 1, true], ['b c', 2, false]]);
    });

    it('are written back by --update: whole values, and captured ids inside texts', function () {
      const rw = reverseSubstitution([['orderId', '90000101'], ['uuid', 'abc-123'], ['status', 'S']], new Set(['orderId']));
      expect(rw('90000101')).to.equal('${orderId}');
      expect(rw('abc-123')).to.equal('${uuid}');
      expect(rw('S')).to.equal('S');
      expect(rw('Order 90000101 is locked; WC_90000101')).to.equal('Order ${orderId} is locked; WC_${orderId}');
      expect(rw('190000101')).to.equal('190000101');
      expect(rw('costs ${x}')).to.equal('costs $${x}');
    });
  });

  it('pretty XML keeps namespaces by URI and QName values resolvable', function () {
    const doc = readXml(`<x:ConfirmBOD xmlns:x="http://www.openapplications.org/oagis/9" xmlns:t="${WCF}" xmlns:i="http://www.w3.org/2001/XMLSchema-instance"><x:ApplicationArea i:type="t:ApplicationAreaType"/></x:ConfirmBOD>`);
    const text = writePrettyXml(doc);
    expect(text).to.contain('<oa:ConfirmBOD').and.to.contain('<oa:ApplicationArea xsi:type="_wcf:ApplicationAreaType"/>');
    expect(canonicalLines(readXml(text), NONE, 'actual')).to.deep.equal(canonicalLines(doc, NONE, 'actual'));
  });
});
