import { isErrorCode, type BodError, type ErrorCode } from '../errors/error-catalogue.js';
import { BOD_ROOT_XMLNS } from '../xml/namespaces.js';
import { escText, leaf } from '../xml/xml-writer.js';
import { writeApplicationArea, writeOriginalApplicationArea, type ApplicationArea } from './application-area.js';

export const RELEASE_ID = '9.0';

export interface ResponseBodSpec {
  /** Qualified root name with our prefix, e.g. `_inv:ShowInventoryAvailability`. */
  readonly root: string;
  /** `_inv` or `_ord`: the DataArea is in the component namespace. */
  readonly component: '_inv' | '_ord';
  readonly verb: 'Show' | 'Acknowledge' | 'Respond';
  /** Extra attributes on the verb, already escaped (Show's recordSet* attributes). */
  readonly verbAttrs?: string;
  readonly original: ApplicationArea;
  readonly receivedAt: string;
  /** When set, the response carries ResponseCriteria/ChangeStatus and `nouns` is normally empty. */
  readonly error?: BodError;
  /** Serialized nouns. */
  readonly nouns: string;
}

/**
 * Show / Acknowledge / Respond. Errors follow Commerce's form: `oa:ResponseCriteria/oa:ChangeStatus` inside the
 * verb, with Code ERROR, the message in Description and Reason, and our stable code as ReasonCode.
 */
export function writeResponseBod(spec: ResponseBodSpec): string {
  const crit = spec.error ? writeResponseCriteria(spec.error) : '';
  return (
    `<${spec.root} releaseID="${RELEASE_ID}"${BOD_ROOT_XMLNS}>` +
    writeApplicationArea() +
    `<${spec.component}:DataArea><oa:${spec.verb}${spec.verbAttrs ?? ''}>` +
    writeOriginalApplicationArea(spec.original, spec.receivedAt) +
    crit +
    `</oa:${spec.verb}>${spec.nouns}</${spec.component}:DataArea></${spec.root}>`
  );
}

/**
 * The attributes of `oa:Show` for one complete record set of `count` nouns. OAGIS types recordSetCount and
 * recordSetTotal as positive integers, so an empty answer leaves them out; recordSetStartNumber may be 0.
 */
export function showRecordSetAttrs(count: number): string {
  const counts = count > 0 ? ` recordSetCount="${count}"` : '';
  return ` recordSetCompleteIndicator="true"${counts} recordSetStartNumber="0"${count > 0 ? ` recordSetTotal="${count}"` : ''}`;
}

export function writeResponseCriteria(error: BodError): string {
  return (
    `<oa:ResponseCriteria><oa:ChangeStatus><oa:Code>ERROR</oa:Code>` +
    `${leaf('oa:Description', error.message)}${leaf('oa:ReasonCode', error.code)}${leaf('oa:Reason', error.message)}` +
    `</oa:ChangeStatus></oa:ResponseCriteria>`
  );
}

/** What happened to one noun of a Sync, for the ConfirmBOD. `ref` names the noun for a person (item @ location). */
export interface NounOutcome {
  readonly ref: string;
  readonly error?: BodError;
}

/**
 * ConfirmBOD for a Sync: success when every noun applied, BODFailureMessage when none did, and
 * PartialBODFailureMessage naming each noun that failed otherwise. Commerce's ConfirmBOD schema is plain OAGIS
 * (it imports none of Commerce's own types), so its application areas carry no xsi:type and no BusinessContext.
 */
export function writeConfirmBod(original: ApplicationArea, receivedAt: string, outcomes: readonly NounOutcome[]): string {
  const failed = outcomes.filter((o) => o.error);
  let message: string;
  if (failed.length === 0) message = '<oa:BODSuccessMessage/>';
  else if (failed.length === outcomes.length) {
    message = `<oa:BODFailureMessage>${failed.map((o) => errorProcessMessage(o.ref, o.error!)).join('')}${failed.map(nounFailure).join('')}</oa:BODFailureMessage>`;
  } else {
    // OAGIS lets a failure message name either the failed nouns or the applied ones, not both: the failed ones are
    // named; whatever is not named was applied.
    message = `<oa:PartialBODFailureMessage>${failed.map((o) => errorProcessMessage(o.ref, o.error!)).join('')}${failed.map(nounFailure).join('')}</oa:PartialBODFailureMessage>`;
  }
  return (
    `<oa:ConfirmBOD releaseID="${RELEASE_ID}"${BOD_ROOT_XMLNS}>` +
    writeApplicationArea(undefined, undefined, undefined, false) +
    `<oa:DataArea><oa:Confirm>${writeOriginalApplicationArea(original, receivedAt)}</oa:Confirm>` +
    `<oa:BOD>${writeOriginalApplicationArea(original, receivedAt)}${message}</oa:BOD></oa:DataArea></oa:ConfirmBOD>`
  );
}

function errorProcessMessage(ref: string, e: BodError): string {
  return `<oa:ErrorProcessMessage><oa:Description>${escText(`${ref}: ${e.message}`)}</oa:Description>${leaf('oa:ReasonCode', e.code)}</oa:ErrorProcessMessage>`;
}

function nounFailure(o: NounOutcome): string {
  return `<oa:NounFailureMessage>${errorProcessMessage(o.ref, o.error!)}</oa:NounFailureMessage>`;
}

const REASON_CODE_OPEN = '<oa:ReasonCode>';

/**
 * The catalogue code of a BOD error answer, or undefined for an answer without one: every error dombridge answers
 * inside a BOD carries its code as `oa:ReasonCode` (writeResponseCriteria, errorProcessMessage above), and no
 * successful answer has one. One indexOf over the answer: this runs on every request.
 */
export function bodErrorCodeOf(responseBod: string): ErrorCode | undefined {
  const at = responseBod.indexOf(REASON_CODE_OPEN);
  if (at < 0) return undefined;
  const start = at + REASON_CODE_OPEN.length;
  const code = responseBod.slice(start, responseBod.indexOf('<', start));
  return isErrorCode(code) ? code : undefined;
}
