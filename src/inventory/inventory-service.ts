import type { ServiceDefinition } from '../soap/bod-operation.js';
import type { Store } from '../store/store.js';
import { NS } from '../xml/namespaces.js';
import type { AvailabilityService } from './availability.service.js';
import { ChangeInventoryAvailabilityHandler } from './change-inventory-availability.handler.js';
import { GetInventoryAvailabilityHandler } from './get-inventory-availability.handler.js';
import { ProcessInventoryRequirementHandler, type ReservationActions } from './process-inventory-requirement.handler.js';
import { SyncInventoryAvailabilityHandler } from './sync-inventory-availability.handler.js';

export const INVENTORY_SERVICE_PATH = '/webapp/wcs/component/inventory/services/InventoryServices';

/** Commerce's InventoryServices: its endpoint path, namespace and WSDL, and the operations dombridge serves. */
export function inventoryServiceDefinition(store: Store, availability: AvailabilityService, reservations?: ReservationActions): ServiceDefinition {
  return {
    name: 'InventoryServices',
    path: INVENTORY_SERVICE_PATH,
    namespace: NS.inv,
    wsdlFile: 'InventoryServices.wsdl',
    operations: [
      new GetInventoryAvailabilityHandler(availability),
      new SyncInventoryAvailabilityHandler(store, availability),
      new ChangeInventoryAvailabilityHandler(store, availability),
      new ProcessInventoryRequirementHandler(availability, reservations),
    ],
  };
}
