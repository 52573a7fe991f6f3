import { randomUUID } from 'node:crypto';
import { writeApplicationArea } from '../../bod/application-area.js';
import { RELEASE_ID } from '../../bod/bod-response.js';
import type { Config } from '../../config/config.js';
import { writeAvailabilityExpression } from '../../inventory/availability-noun.js';
import type { Logger } from '../../log/logger.js';
import type { NodeCoordination, Store } from '../../store/store.js';
import { BOD_ROOT_XMLNS } from '../../xml/namespaces.js';
import { escText } from '../../xml/xml-writer.js';
import { DOM_INVENTORY_PATH } from '../dom-inventory.client.js';
import type { DomResult, DomTransport } from '../dom-transport.js';
import { DEFAULT_CIRCUIT_BREAKER_POLICY, type CircuitBreakerPolicy } from './circuit-breaker.js';
import { DomCircuitGate, type ProbeReport } from './dom-circuit-gate.js';

/** DOM outage handling (circuit breaker, heartbeat, readiness). */
export interface OutageInstall {
  /** For /readyz: whether DOM is currently believed reachable, and since when. */
  domState(): { readonly state: 'up' | 'down' | 'unknown'; readonly since: string | null };
  /** Probes DOM now (console, POST /admin/dom/probe, `dombridge dom probe`). */
  probeNow(): Promise<ProbeReport>;
  /** The last probe, heartbeat or asked for. */
  lastProbe(): ProbeReport | undefined;
  stop(): void;
}

/** What the outage handling needs of the transport: to sit in front of its calls, and to call past itself. */
export type OutageTransport = Pick<DomTransport, 'setGate' | 'probe'>;

/**
 * The heartbeat asks DOM for an item and store no shop has: DOM leaves pairs it does not know out of its answer
 * (docs/contract/wire.md, inventory cache rules), so the answer is small, and any readable BOD, even one with an error ChangeStatus, proves DOM is
 * back. Nothing in the cache depends on it.
 */
const HEARTBEAT_ITEM = 'dombridge-heartbeat';
const HEARTBEAT_STORE = '0';

export function heartbeatBod(bodId: string = randomUUID()): string {
  const expression = writeAvailabilityExpression([HEARTBEAT_ITEM], [{ kind: 'online', by: 'uniqueId', value: HEARTBEAT_STORE }]);
  return `<_inv:GetInventoryAvailability releaseID="${RELEASE_ID}" versionID="7.0.0.0"${BOD_ROOT_XMLNS}>` +
    writeApplicationArea(bodId, undefined, { storeId: HEARTBEAT_STORE }) +
    `<_inv:DataArea><oa:Get><oa:Expression expressionLanguage="_wcf:XPath">${escText(expression)}</oa:Expression></oa:Get></_inv:DataArea>` +
    `</_inv:GetInventoryAvailability>`;
}

/**
 * Heartbeat interval, ms: `config.dom.heartbeatS` (DOM_HEARTBEAT_S, default 300 s, at least 1 s), or
 * `config.dom.heartbeatMs` (DOM_HEARTBEAT_MS, for tests that need sub-second heartbeats) when set.
 */
export function heartbeatMsFor(config: Config): number {
  return config.dom.heartbeatMs ?? config.dom.heartbeatS * 1000;
}

/** The breaker's policy from the settings: DOM_HEARTBEAT_S (or DOM_HEARTBEAT_MS) and DOM_PROBE_MIN_S. */
export function circuitPolicyFor(config: Config): CircuitBreakerPolicy {
  // `??`: a hand-made config in a test may leave probeMinS out.
  return { ...DEFAULT_CIRCUIT_BREAKER_POLICY, heartbeatMs: heartbeatMsFor(config), probeMinMs: (config.dom.probeMinS ?? 2) * 1000 };
}

/**
 * Puts a circuit breaker in front of every DOM call (DomTransport's gate). After 5 consecutive transport
 * failures DOM is taken as down: calls are refused at once with `circuit-open`, so availability answers from the
 * cache or the fallback values, Prepare goes on without a reservation, and transfers wait in the outbox. Probes
 * back off from DOM_PROBE_MIN_S to DOM_HEARTBEAT_S (circuit-breaker.ts, nextProbeAt); the first answer closes the circuit, makes every waiting outbox
 * message due now (`store`), then calls `onRecovered` (which kicks the relay), so the queue drains without anyone
 * acting.
 */
export function installOutageHandling(transport: OutageTransport, config: Config, onRecovered: () => void, log: Logger, store?: Store): OutageInstall {
  const policy = circuitPolicyFor(config);
  const gate = new DomCircuitGate({
    policy,
    probe: () => probeOnOneNode(store?.nodes, () => transport.probe(DOM_INVENTORY_PATH, 'GetInventoryAvailability', heartbeatBod())),
    onClosed: async () => {
      // The other nodes, whose circuits may still be open, probe at once instead of at their next heartbeat.
      void store?.nodes.announce({ kind: 'domUp' });
      try {
        // Transfers refused while the circuit was open were put off by the relay's longest delay: due now instead.
        return store ? { rescheduled: await store.domOutbox.rescheduleWaiting(Date.now()) } : {};
      } finally {
        onRecovered();
      }
    },
    log,
  });
  transport.setGate(gate);
  const unwatch = store?.nodes.watch((c) => {
    if (c.kind === 'domUp') gate.peerFoundDomUp();
  });
  return {
    domState: () => gate.domState(),
    probeNow: () => gate.probeNow(),
    lastProbe: () => gate.lastProbe(),
    stop: () => {
      unwatch?.();
      gate.stop();
    },
  };
}

/**
 * With several nodes on one store, one node at a time probes a DOM that is down (the 'dom-heartbeat' lock,
 * docs/several-nodes.md): the holder keeps probing until DOM answers, then lets the lock go and tells the others
 * (NodeCoordination.announce), whose circuits are still open: each probes at once and sees DOM back for itself, and
 * tells the rest in turn. A node that finds the lock taken stays open until the next news or its own next heartbeat
 * (outcome neutral: nothing was asked of DOM).
 */
export async function probeOnOneNode(nodes: NodeCoordination | undefined, probe: () => Promise<DomResult<unknown>>): Promise<DomResult<unknown>> {
  if (nodes && !(await nodes.hold('dom-heartbeat'))) return { ok: false, failure: { kind: 'circuit-open', detail: 'another node is probing DOM' } };
  const result = await probe();
  if (result.ok && nodes) await nodes.release('dom-heartbeat');
  return result;
}
