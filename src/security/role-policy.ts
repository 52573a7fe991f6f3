import type { ActionExpression } from '../bod/bod-request.js';
import { ROLES, type Role } from './user-directory.js';

/** Any action code (including none, as in Get BODs). */
const ANY = '*';

interface Grant {
  readonly operation: string;
  readonly actions: typeof ANY | readonly string[];
}

/**
 * Who may call what, by the BOD's operation and its actionCode. `admin` may call everything. The storefront calls
 * the cart, checkout and availability operations; DOM calls back with its Sync BODs, the transfer confirmation
 * (ChangeOrder Change on /Order/OrderStatus) and promotion bookkeeping. Neither may call the other's operations;
 * ChangeInventoryAvailability (administrative upsert) is admin only.
 */
export const ROLE_GRANTS: Readonly<Record<Role, readonly Grant[]>> = {
  admin: [{ operation: ANY, actions: ANY }],
  storefront: [
    { operation: 'GetInventoryAvailability', actions: ANY },
    { operation: 'ProcessInventoryRequirement', actions: ANY },
    { operation: 'GetOrder', actions: ANY },
    { operation: 'ChangeOrder', actions: ['Create', 'Add', 'Update', 'Delete'] },
    { operation: 'ProcessOrder', actions: ['Prepare', 'Submit', 'Cancel', 'Lock', 'Unlock', 'ApplyPromotionCode', 'RemovePromotionCode'] },
  ],
  dom: [
    { operation: 'SyncInventoryAvailability', actions: ANY },
    { operation: 'SyncOrder', actions: ANY },
    { operation: 'ChangeOrder', actions: ['Change'] },
    { operation: 'ProcessOrder', actions: ['FinalizePromotionCalUsage', 'CancelPromotionCalUsage', 'UpdatePromotionCalUsage', 'Cancel'] },
    { operation: 'GetOrder', actions: ANY },
  ],
};

export interface Refusal {
  readonly operation: string;
  readonly actionCode: string;
}

/**
 * The grant table compiled once into a set of `role operation action` keys, so a decision is two or three set
 * lookups. Every action of the BOD must be granted, not only the first: handlers read the first today, and a
 * second, ungranted action must not slip through if one ever reads more.
 */
export class RolePolicy {
  private readonly allowed = new Set<string>();

  constructor(grants: Readonly<Record<Role, readonly Grant[]>> = ROLE_GRANTS) {
    for (const role of ROLES) {
      for (const g of grants[role]) {
        for (const a of g.actions === ANY ? [ANY] : g.actions) this.allowed.add(`${role} ${g.operation} ${a}`);
      }
    }
  }

  /** undefined when `role` may call `operation` with these actions; otherwise what was refused. */
  check(role: string, operation: string, actions: readonly ActionExpression[]): Refusal | undefined {
    if (this.allowed.has(`${role} ${ANY} ${ANY}`) || this.allowed.has(`${role} ${operation} ${ANY}`)) return undefined;
    if (actions.length === 0) return { operation, actionCode: '(none)' };
    for (const a of actions) {
      if (!this.allowed.has(`${role} ${operation} ${a.actionCode}`)) return { operation, actionCode: a.actionCode };
    }
    return undefined;
  }

  /** The operations a table names (to check them against the services at start-up or in tests). */
  static operations(grants: Readonly<Record<Role, readonly Grant[]>> = ROLE_GRANTS): string[] {
    return [...new Set(Object.values(grants).flatMap((gs) => gs.map((g) => g.operation)).filter((o) => o !== ANY))];
  }
}
