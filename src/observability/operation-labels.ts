/*
 * Label values must stay few: every distinct value is a series Prometheus keeps for good. The operation a
 * dispatcher reports for a fault is whatever element the client put in the Body, so only the names below get
 * their own series; anything else is counted as `other`.
 */

export const OTHER_LABEL = 'other';

/**
 * The request BODs dombridge routes (InventoryServices and OrderServices), and `(unread)`: the dispatcher's name
 * for a request whose envelope could not be read. The metrics test checks this list against the routing table.
 */
export const SERVED_OPERATIONS: readonly string[] = [
  'GetInventoryAvailability', 'SyncInventoryAvailability', 'ChangeInventoryAvailability', 'ProcessInventoryRequirement',
  'ChangeOrder', 'ProcessOrder', 'GetOrder', 'SyncOrder',
  '(unread)',
];

/** The operations dombridge calls at DOM (the DOM inventory and order clients). */
export const DOM_OPERATIONS: readonly string[] = ['GetInventoryAvailability', 'ProcessInventoryRequirement', 'ProcessOrder', 'GetOrder'];

/** The value to label `name` with: itself when known, `other` otherwise. */
export function boundedLabel(known: ReadonlySet<string>, name: string): string {
  return known.has(name) ? name : OTHER_LABEL;
}
