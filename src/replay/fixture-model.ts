import type { ComparisonRules } from './canonical-xml.js';
import type { Condition, XmlPath } from './xml-path.js';

/** What a fixture is once read: the format on disk is described in docs/replay.md. */

export const SERVICE_PATHS = {
  inventory: '/webapp/wcs/component/inventory/services/InventoryServices',
  order: '/webapp/wcs/component/order/services/OrderServices',
} as const;

export type ServiceName = keyof typeof SERVICE_PATHS;

/** Where something was written, for messages: `file:line`. */
export interface SourceRef {
  readonly file: string;
  readonly line: number;
}

export interface StepRequest {
  readonly file: string;
  /** The file's text without the `replay:` directive comment; variables not yet substituted. */
  readonly text: string;
  /** Sent byte for byte (after substitution): not parsed, not wrapped in an envelope. */
  readonly raw: boolean;
  readonly contentType: string | undefined;
  /** HTTP path on the target. */
  readonly path: string;
}

export interface StepExpect {
  readonly file: string;
  /** Absolute path, for --update. */
  readonly path: string;
  /** Undefined when the file does not exist yet (only allowed with --update, which creates it). */
  readonly text: string | undefined;
  /** HTTP status, from a leading `<!-- HTTP 500 -->` comment; 200 without one. */
  readonly status: number;
}

export interface Capture {
  readonly name: string;
  readonly path: XmlPath;
  readonly at: SourceRef;
}

export interface WaitFor {
  readonly until: Condition;
  readonly timeoutMs: number;
  readonly everyMs: number;
  readonly at: SourceRef;
}

/** An e-mail dombridge must have written to the outbox; string fields may hold variables. */
export interface EmailExpectation {
  readonly type: string | undefined;
  readonly to: string | undefined;
  readonly orderId: string | undefined;
  readonly subject: string | undefined;
  readonly contains: readonly string[];
  readonly timeoutMs: number;
  readonly at: SourceRef;
}

export interface Step {
  /** 1-based. */
  readonly index: number;
  readonly name: string;
  readonly at: SourceRef;
  readonly request: StepRequest | undefined;
  readonly expect: StepExpect | undefined;
  readonly rules: ComparisonRules;
  readonly captures: readonly Capture[];
  readonly waitFor: WaitFor | undefined;
  readonly email: EmailExpectation | undefined;
}

export interface Fixture {
  /** The fixture's file (the .fixture.json, or the .request.xml of a pair), as given or found. */
  readonly file: string;
  /** The name `--grep` matches and reports show: the path without its extension. */
  readonly name: string;
  readonly description: string | undefined;
  readonly tags: readonly string[];
  /** Evaluated once per run of the fixture, in order; values may use built-ins and earlier vars. */
  readonly vars: ReadonlyArray<{ readonly name: string; readonly template: string; readonly at: SourceRef }>;
  /**
   * true: needs DOM to call back on its own (transfer confirmation, release, shipment); false: the fixture plays
   * DOM itself, so DOM must not; undefined: either.
   */
  readonly domCallbacks: boolean | undefined;
  readonly steps: readonly Step[];
}

export class FixtureError extends Error {
  constructor(readonly file: string, readonly line: number, readonly problem: string) {
    super(`${file}:${line}: ${problem}`);
    this.name = 'FixtureError';
  }
}

export const DEFAULT_WAIT_TIMEOUT_MS = 15_000;
export const DEFAULT_WAIT_EVERY_MS = 200;
export const DEFAULT_EMAIL_TIMEOUT_MS = 10_000;
