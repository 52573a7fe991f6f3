import { DombridgeFault } from '../errors/error-catalogue.js';
import { NS } from '../xml/namespaces.js';
import { child, childrenNamed, type XmlElement } from '../xml/xml-element.js';
import { findApplicationArea, readApplicationArea, type ApplicationArea } from './application-area.js';

export type VerbName = 'Get' | 'Process' | 'Change' | 'Sync' | 'Show' | 'Acknowledge' | 'Respond' | 'Confirm';
const VERBS: ReadonlySet<string> = new Set(['Get', 'Process', 'Change', 'Sync', 'Show', 'Acknowledge', 'Respond', 'Confirm']);

export interface ActionExpression {
  readonly actionCode: string;
  /** The XPath text, trimmed; real senders sometimes leave it empty. */
  readonly expression: string;
}

/** A BOD read into its parts: verb, actions, nouns. Nouns stay as element trees for each handler's codec. */
export interface BodRequest {
  readonly root: XmlElement;
  readonly releaseId: string | undefined;
  readonly applicationArea: ApplicationArea;
  readonly verb: VerbName;
  readonly verbElement: XmlElement;
  /** Get: the oa:Expression texts. */
  readonly expressions: readonly string[];
  /** Process/Change/Sync: the action criteria. */
  readonly actions: readonly ActionExpression[];
  /** DataArea children other than the verb, in document order. */
  readonly nouns: readonly XmlElement[];
}

/**
 * Reads the envelope of a BOD. The DataArea must be in the component namespace of the root (Commerce's rule);
 * the verb is whichever oa: verb element the DataArea holds, wherever it stands.
 */
export function readBod(root: XmlElement): BodRequest {
  const dataArea = child(root, root.ns, 'DataArea') ?? (root.ns === NS.oa ? undefined : child(root, NS.oa, 'DataArea'));
  if (!dataArea) throw new DombridgeFault('BOD_INVALID', { detail: `${root.name} has no DataArea in namespace ${root.ns}` });
  let verbElement: XmlElement | undefined;
  const nouns: XmlElement[] = [];
  for (const c of dataArea.children) {
    if (!verbElement && c.ns === NS.oa && VERBS.has(c.name)) verbElement = c;
    else nouns.push(c);
  }
  if (!verbElement) throw new DombridgeFault('BOD_INVALID', { detail: `${root.name}/DataArea has no OAGIS verb (Get, Process, Change, Sync …)` });
  const actions: ActionExpression[] = [];
  for (const crit of childrenNamed(verbElement, NS.oa, 'ActionCriteria')) {
    for (const ae of childrenNamed(crit, NS.oa, 'ActionExpression')) {
      const actionCode = ae.attrs['actionCode'] ?? '';
      if (actionCode === '') throw new DombridgeFault('BOD_INVALID', { detail: 'an ActionExpression has no actionCode' });
      actions.push({ actionCode, expression: ae.text });
    }
  }
  return {
    root,
    releaseId: root.attrs['releaseID'],
    applicationArea: readApplicationArea(findApplicationArea(root)),
    verb: verbElement.name as VerbName,
    verbElement,
    expressions: childrenNamed(verbElement, NS.oa, 'Expression').map((e) => e.text),
    actions,
    nouns,
  };
}
