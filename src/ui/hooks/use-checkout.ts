// The screens read the controller's current view; it changes once per input event.
import { useSyncExternalStore } from 'react';
import type { CheckoutController, CheckoutView } from '../checkout-controller.js';

export function useCheckout(controller: CheckoutController): CheckoutView {
  return useSyncExternalStore(controller.subscribe, controller.view, controller.view);
}
