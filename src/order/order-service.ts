import type { ServiceDefinition } from '../soap/bod-operation.js';
import type { Store } from '../store/store.js';
import { NS } from '../xml/namespaces.js';
import type { CartService } from './cart.service.js';
import type { CheckoutService } from './checkout.service.js';
import type { DomCallbacksService } from './dom-callbacks.service.js';
import { ChangeOrderHandler, GetOrderHandler, ProcessOrderHandler, SyncOrderHandler } from './order-handlers.js';

export const ORDER_SERVICE_PATH = '/webapp/wcs/component/order/services/OrderServices';

/** Commerce's OrderServices: its endpoint path, namespace and WSDL, and the operations dombridge serves. */
export function orderServiceDefinition(store: Store, cart: CartService, checkout: CheckoutService, callbacks: DomCallbacksService): ServiceDefinition {
  return {
    name: 'OrderServices',
    path: ORDER_SERVICE_PATH,
    namespace: NS.ord,
    wsdlFile: 'OrderServices.wsdl',
    operations: [
      new ChangeOrderHandler(checkout, cart, callbacks),
      new ProcessOrderHandler(checkout, store, callbacks),
      new GetOrderHandler(checkout, store),
      new SyncOrderHandler(callbacks),
    ],
  };
}
