import { isoTime } from '../bod/application-area.js';
import { NS } from '../xml/namespaces.js';
import { child, childrenNamed, childText, type XmlElement } from '../xml/xml-element.js';
import { escAttr, escText, leaf } from '../xml/xml-writer.js';
import type { CatalogEntryRef, LocationRef } from './availability-expression.js';
import { INVENTORY_STATUSES, type InventoryStatus } from './inventory-model.js';

/** Where an answer came from; told to the caller in UserData `availabilitySource` (see README). */
export type AvailabilitySource = 'cache' | 'dom' | 'stale-cache' | 'fallback' | 'local';

/** Everything one `_inv:InventoryAvailability` noun says, resolved enough to write it back out. */
export interface AvailabilityNoun {
  readonly catentryId: string;
  readonly partNumber?: string;
  readonly location:
    | { readonly kind: 'online'; readonly storeId: string; readonly nameIdentifier?: string }
    | { readonly kind: 'physical'; readonly storeId: string; readonly externalId?: string };
  readonly status: InventoryStatus;
  readonly quantity: number | null;
  readonly uom: string;
  readonly availabilityTime: number | null;
  readonly availabilityOffset: number | null;
  readonly lastUpdate: number | null;
  readonly userData?: Readonly<Record<string, string>>;
}

/** Quantities are xs:double; Commerce writes them with a decimal point ("42.0"). */
export function formatQuantity(q: number): string {
  return Number.isInteger(q) ? `${q}.0` : String(q);
}

function isoOrEmpty(ms: number | null): string | undefined {
  return ms === null ? undefined : isoTime(ms);
}

/** Writes a noun in schema order: identifier, status, quantity, times, user data. */
export function writeAvailabilityNoun(n: AvailabilityNoun): string {
  const cat =
    `<_wcf:CatalogEntryIdentifier>${leaf('_wcf:UniqueID', n.catentryId)}` +
    (n.partNumber ? `<_wcf:ExternalIdentifier>${leaf('_wcf:PartNumber', n.partNumber)}</_wcf:ExternalIdentifier>` : '') +
    `</_wcf:CatalogEntryIdentifier>`;
  const loc =
    n.location.kind === 'online'
      ? `<_wcf:OnlineStoreIdentifier>${leaf('_wcf:UniqueID', n.location.storeId)}` +
        (n.location.nameIdentifier ? `<_wcf:ExternalIdentifier>${leaf('_wcf:NameIdentifier', n.location.nameIdentifier)}</_wcf:ExternalIdentifier>` : '') +
        `</_wcf:OnlineStoreIdentifier>`
      : `<_wcf:PhysicalStoreIdentifier>${leaf('_wcf:UniqueID', n.location.storeId)}${leaf('_wcf:ExternalIdentifier', n.location.externalId)}</_wcf:PhysicalStoreIdentifier>`;
  let userData = '';
  if (n.userData) {
    for (const k in n.userData) userData += `<_wcf:UserDataField name="${escAttr(k)}">${escText(n.userData[k]!)}</_wcf:UserDataField>`;
    if (userData) userData = `<_wcf:UserData>${userData}</_wcf:UserData>`;
  }
  return (
    `<_inv:InventoryAvailability><_inv:InventoryAvailabilityIdentifier><_wcf:ExternalIdentifier>${cat}${loc}</_wcf:ExternalIdentifier></_inv:InventoryAvailabilityIdentifier>` +
    `<_inv:InventoryStatus>${n.status}</_inv:InventoryStatus>` +
    (n.quantity === null ? '' : `<_inv:AvailableQuantity uom="${escAttr(n.uom)}">${formatQuantity(n.quantity)}</_inv:AvailableQuantity>`) +
    leaf('_inv:AvailabilityDateTime', isoOrEmpty(n.availabilityTime)) +
    leaf('_inv:AvailabilityOffset', n.availabilityOffset ?? undefined) +
    leaf('_inv:LastUpdateDateTime', isoOrEmpty(n.lastUpdate)) +
    userData +
    `</_inv:InventoryAvailability>`
  );
}

/** A noun as received (Sync, Change, DOM's Show): identifiers unresolved, every value checked. */
export interface ReceivedAvailabilityNoun {
  readonly item: CatalogEntryRef;
  readonly location: LocationRef;
  readonly status: InventoryStatus;
  /** null = not given (unlimited when Available). */
  readonly quantity: number | null;
  readonly uom: string;
  readonly availabilityTime: number | null;
  readonly availabilityOffset: number | null;
  readonly lastUpdate: number | null;
  readonly userData: Readonly<Record<string, string>>;
}

export type NounReadResult = { ok: true; noun: ReceivedAvailabilityNoun } | { ok: false; ref: string; reason: string };

/** Largest quantity accepted: beyond 2^53 doubles stop counting units, and 1e309 is Infinity. */
const MAX_QUANTITY = Number.MAX_SAFE_INTEGER;

export function parseQuantity(text: string): number | undefined {
  if (!/^[+]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(text)) return undefined;
  const q = Number(text);
  return Number.isFinite(q) && q >= 0 && q <= MAX_QUANTITY ? q : undefined;
}

export function parseDateTime(text: string): number | undefined {
  // xs:dateTime, with or without zone (no zone = UTC, as Sterling sends), or an xs:date.
  if (!/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:\d{2})?$/.test(text)) return undefined;
  const hasZone = /(Z|[+-]\d{2}:\d{2})$/.test(text);
  const datePart = text.length === 10 || (hasZone && !text.includes('T'));
  const ms = Date.parse(hasZone || datePart ? text.replace(/^(\d{4}-\d{2}-\d{2})(Z|[+-]\d{2}:\d{2})$/, '$1T00:00:00$2') : `${text}Z`);
  return Number.isNaN(ms) ? undefined : ms;
}

export type IdentifierReadResult = { ok: true; item: CatalogEntryRef; location: LocationRef } | { ok: false; ref: string; reason: string };

/**
 * The (item, location) a noun names by its InventoryAvailabilityIdentifier. All a Delete needs: Commerce's
 * InventoryAvailabilityType makes every other element optional, so a client deleting a record sends only this.
 */
export function readAvailabilityIdentifier(el: XmlElement): IdentifierReadResult {
  const ext = child(child(el, NS.inv, 'InventoryAvailabilityIdentifier'), NS.wcf, 'ExternalIdentifier');
  const catEl = child(ext, NS.wcf, 'CatalogEntryIdentifier');
  const catId = childText(catEl, NS.wcf, 'UniqueID');
  const pn = childText(child(catEl, NS.wcf, 'ExternalIdentifier'), NS.wcf, 'PartNumber');
  const item: CatalogEntryRef | undefined = catId ? { by: 'uniqueId', value: catId } : pn ? { by: 'partNumber', value: pn } : undefined;
  const onlineEl = child(ext, NS.wcf, 'OnlineStoreIdentifier');
  const physEl = child(ext, NS.wcf, 'PhysicalStoreIdentifier');
  let location: LocationRef | undefined;
  if (onlineEl) {
    const id = childText(onlineEl, NS.wcf, 'UniqueID');
    const name = childText(child(onlineEl, NS.wcf, 'ExternalIdentifier'), NS.wcf, 'NameIdentifier');
    location = id ? { kind: 'online', by: 'uniqueId', value: id } : name ? { kind: 'online', by: 'nameIdentifier', value: name } : undefined;
  } else if (physEl) {
    const id = childText(physEl, NS.wcf, 'UniqueID');
    const x = childText(physEl, NS.wcf, 'ExternalIdentifier');
    location = id ? { kind: 'physical', by: 'uniqueId', value: id } : x ? { kind: 'physical', by: 'externalId', value: x } : undefined;
  }
  const ref = `${item ? item.value : '(no item)'} @ ${location ? location.value : '(no location)'}`;
  if (!item) return { ok: false, ref, reason: 'CatalogEntryIdentifier needs a UniqueID or an ExternalIdentifier/PartNumber' };
  if (!location) return { ok: false, ref, reason: 'an OnlineStoreIdentifier or PhysicalStoreIdentifier with an identifier is required' };
  return { ok: true, item, location };
}

export function readAvailabilityNoun(el: XmlElement): NounReadResult {
  const id = readAvailabilityIdentifier(el);
  if (!id.ok) return id;
  const { item, location } = id;
  const ref = `${item.value} @ ${location.value}`;
  const statusText = childText(el, NS.inv, 'InventoryStatus');
  if (statusText === undefined) return { ok: false, ref, reason: 'InventoryStatus is required' };
  if (!(INVENTORY_STATUSES as readonly string[]).includes(statusText)) {
    return { ok: false, ref, reason: `InventoryStatus must be one of ${INVENTORY_STATUSES.join(', ')}, not "${statusText}"` };
  }
  const qtyEl = child(el, NS.inv, 'AvailableQuantity');
  let quantity: number | null = null;
  if (qtyEl && qtyEl.text !== '') {
    const q = parseQuantity(qtyEl.text);
    if (q === undefined) return { ok: false, ref, reason: `AvailableQuantity must be a finite number ≥ 0, not "${qtyEl.text.slice(0, 40)}"` };
    quantity = q;
  }
  const times: Record<string, number | null> = {};
  for (const name of ['AvailabilityDateTime', 'LastUpdateDateTime'] as const) {
    const t = childText(el, NS.inv, name);
    if (t === undefined) times[name] = null;
    else {
      const ms = parseDateTime(t);
      if (ms === undefined) return { ok: false, ref, reason: `${name} must be an xs:dateTime, not "${t.slice(0, 40)}"` };
      times[name] = ms;
    }
  }
  const offText = childText(el, NS.inv, 'AvailabilityOffset');
  let availabilityOffset: number | null = null;
  if (offText !== undefined) {
    if (!/^\d{1,12}$/.test(offText)) return { ok: false, ref, reason: `AvailabilityOffset must be whole seconds ≥ 0, not "${offText.slice(0, 40)}"` };
    availabilityOffset = Number(offText);
  }
  const userData: Record<string, string> = {};
  for (const f of childrenNamed(child(el, NS.wcf, 'UserData'), NS.wcf, 'UserDataField')) {
    if (f.attrs['name']) userData[f.attrs['name']] = f.text;
  }
  return {
    ok: true,
    noun: {
      item, location, status: statusText as InventoryStatus, quantity, uom: qtyEl?.attrs['uom'] || 'C62',
      availabilityTime: times['AvailabilityDateTime'] ?? null, availabilityOffset, lastUpdate: times['LastUpdateDateTime'] ?? null, userData,
    },
  };
}

function quote(v: string): string {
  return v.includes("'") ? `"${v}"` : `'${v}'`;
}

/** The Get expression dombridge sends to DOM for several items at several locations (docs/contract/wire.md, inventory cache rules). */
export function writeAvailabilityExpression(catentryIds: readonly string[], locations: readonly LocationRef[]): string {
  const items = catentryIds.map((id) => `UniqueID=${quote(id)}`).join(' or ');
  const locs = locations.map((l) =>
    l.kind === 'online'
      ? l.by === 'uniqueId' ? `OnlineStoreIdentifier[(UniqueID=${quote(l.value)})]` : `OnlineStoreIdentifier/ExternalIdentifier[(NameIdentifier=${quote(l.value)})]`
      : `PhysicalStoreIdentifier[(${l.by === 'uniqueId' ? 'UniqueID' : 'ExternalIdentifier'}=${quote(l.value)})]`,
  );
  const locPart = locs.length === 0 ? '' : locs.length === 1 ? ` and ${locs[0]}` : ` and (${locs.join(' or ')})`;
  return `{_wcf.ap=IBM_Store_Details}/InventoryAvailability[InventoryAvailabilityIdentifier/ExternalIdentifier[CatalogEntryIdentifier[(${items})]${locPart}]]`;
}
