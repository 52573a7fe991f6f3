/** Namespace URIs of the wire contract. Matching is always on these URIs, never on prefixes. */
export const NS = {
  oa: 'http://www.openapplications.org/oagis/9',
  wcf: 'http://www.ibm.com/xmlns/prod/commerce/9/foundation',
  inv: 'http://www.ibm.com/xmlns/prod/commerce/9/inventory',
  ord: 'http://www.ibm.com/xmlns/prod/commerce/9/order',
  xsi: 'http://www.w3.org/2001/XMLSchema-instance',
  soap11: 'http://schemas.xmlsoap.org/soap/envelope/',
  soap12: 'http://www.w3.org/2003/05/soap-envelope',
  wsse: 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd',
  wsu: 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd',
  xml: 'http://www.w3.org/XML/1998/namespace',
  xmlns: 'http://www.w3.org/2000/xmlns/',
} as const;

/** The prefixes dombridge writes, the same ones Commerce writes, so diffs against Commerce traffic stay small. */
export const OUTPUT_PREFIX: Readonly<Record<string, string>> = {
  [NS.oa]: 'oa',
  [NS.wcf]: '_wcf',
  [NS.inv]: '_inv',
  [NS.ord]: '_ord',
  [NS.xsi]: 'xsi',
};

/** xmlns declarations for a BOD root we write: every namespace a response may use, declared once. */
export const BOD_ROOT_XMLNS =
  ` xmlns:_inv="${NS.inv}" xmlns:_ord="${NS.ord}" xmlns:_wcf="${NS.wcf}"` +
  ` xmlns:oa="${NS.oa}" xmlns:xsi="${NS.xsi}"`;
