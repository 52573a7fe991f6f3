import { expect } from 'chai';
import { DombridgeFault } from '../../src/errors/error-catalogue.js';
import { readXml } from '../../src/xml/xml-reader.js';

function malformed(xml: string): string {
  try {
    readXml(xml);
  } catch (e) {
    expect(e).to.be.instanceOf(DombridgeFault);
    expect((e as DombridgeFault).code).to.equal('XML_MALFORMED');
    return (e as DombridgeFault).message;
  }
  throw new Error(`expected ${JSON.stringify(xml)} to be refused`);
}

/** Every "line L, column C" and "position"/"character" mention in a message. */
function positions(message: string): string[] {
  return message.match(/line \d+, column \d+|position \d+|character \d+/g) ?? [];
}

describe('readXml: a mismatched end tag names the offending end tag and the expected one', () => {
  const cases: Array<[string, string, string, string]> = [
    ['compact, inner mismatch', '<a><b></c></a>', '</c>', '</b>'],
    ['compact, the root closed by another name', '<foo></bar></foo>', '</bar>', '</foo>'],
    ['compact, a parent end tag too early', '<a><b></a>', '</a>', '</b>'],
    ['compact, two end tags swapped', '<a><b><c></b></c></a>', '</b>', '</c>'],
    ['indented', '<a>\n  <b>\n  </c>\n</a>', '</c>', '</b>'],
    ['indented root', '<foo>\n</bar>\n</foo>', '</bar>', '</foo>'],
    ['prefixed names', '<x:a xmlns:x="urn:x"><x:b></x:c></x:a>', '</x:c>', '</x:b>'],
  ];
  for (const [what, xml, found, expected] of cases) {
    it(`${what}: ${JSON.stringify(xml)} → end tag ${found} where ${expected} was expected`, () => {
      const m = malformed(xml);
      expect(m).to.include(`end tag ${found} where ${expected} was expected`);
      expect(positions(m), m).to.have.length(1);
    });
  }

  it('gives the line and column of the offending end tag once', () => {
    expect(malformed('<a><b></c></a>')).to.match(/\(line 1, column 10\)\.$/);
    expect(malformed('<a>\n  <b>\n  </c>\n</a>')).to.match(/\(line 3, column 6\)\.$/);
  });

  it('other well-formedness errors also carry one position', () => {
    for (const xml of ['<a>', '<a></a></b>', '<a b="1" b="2"/>', '<a>&nope;</a>']) {
      const m = malformed(xml);
      expect(positions(m), m).to.have.length(1);
    }
  });
});
