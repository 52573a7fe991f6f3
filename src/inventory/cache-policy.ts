import { CacheFlag, type CacheRule, type LocationKey } from './inventory-model.js';

/**
 * The rule applied when no configured rule matches: keep DOM's answers in the database, ask DOM on a miss,
 * trust a record for 300 s while at least the threshold (0) would remain, and always ask DOM below it.
 */
export const BUILT_IN_RULE: CacheRule = {
  id: 'built-in',
  catentryId: null,
  location: null,
  precedence: Number.MIN_SAFE_INTEGER,
  flags: CacheFlag.DatabaseCache | CacheFlag.AskDom | CacheFlag.WriteBack,
  threshold: 0,
  expiryAbove: 300,
  expiryBelow: 0,
  fallbackStatus: null,
  fallbackTime: null,
  fallbackOffset: null,
};

/** Specificity order of docs/contract/wire.md (inventory cache rules): item+location, location, item, default. */
function specificity(rule: CacheRule): number {
  if (rule.catentryId !== null && rule.location !== null) return 3;
  if (rule.location !== null) return 2;
  if (rule.catentryId !== null) return 1;
  return 0;
}

/**
 * Rule matching, compiled once from the rule table: rules are sorted most specific first, then by precedence,
 * so a lookup is the first rule that matches. Rule tables are small (tens), so a linear scan beats an index.
 */
export class CachePolicy {
  private readonly ordered: readonly CacheRule[];

  constructor(rules: readonly CacheRule[]) {
    this.ordered = [...rules].sort((a, b) => specificity(b) - specificity(a) || b.precedence - a.precedence);
  }

  ruleFor(catentryId: string, location: LocationKey): CacheRule {
    for (const r of this.ordered) {
      if (r.catentryId !== null && r.catentryId !== catentryId) continue;
      if (r.location !== null && (r.location.kind !== location.kind || r.location.storeId !== location.storeId)) continue;
      return r;
    }
    return BUILT_IN_RULE;
  }
}

/**
 * Contract §3: a record is fresh when `now − lastUpdate` is within the expiry picked by whether
 * `(cached qty − requested qty) ≥ threshold` (above) or not (below). An unlimited quantity (NULL) is always
 * above. Expiry 0 = always stale, null = never stale.
 */
export function isFresh(rule: CacheRule, cachedQuantity: number | null, lastUpdate: number, requested: number, now: number): boolean {
  const above = cachedQuantity === null || cachedQuantity - requested >= rule.threshold;
  const expiry = above ? rule.expiryAbove : rule.expiryBelow;
  if (expiry === null) return true;
  if (expiry === 0) return false;
  return now - lastUpdate <= expiry * 1000;
}

export function hasFlag(rule: CacheRule, flag: number): boolean {
  return (rule.flags & flag) !== 0;
}
