import type { CategoryKey } from '@wallai/domain';

/**
 * What a payment processor's prefix says about the merchant behind it.
 * Most processors (Square, Stripe, PayPal) serve every kind of business and
 * say nothing; these few are specialised enough to be a hint, and only a
 * hint: the merchant name after the prefix decides whenever a rule knows it.
 */
export interface ProcessorRule {
  readonly processor: string;
  readonly category: CategoryKey;
  readonly confidence: number;
}

export const PROCESSOR_RULES: readonly ProcessorRule[] = [
  // Toast only sells restaurant point-of-sale systems.
  { processor: 'toast', category: 'dining', confidence: 0.7 },
  // "DD *" is DoorDash's own prefix for orders placed through it.
  { processor: 'doordash', category: 'dining', confidence: 0.84 },
  { processor: 'instacart', category: 'groceries', confidence: 0.84 },
  { processor: 'ifood', category: 'dining', confidence: 0.84 },
  // Eventbrite sells tickets to events; the event name rarely says what it is.
  { processor: 'eventbrite', category: 'entertainment', confidence: 0.8 },
  // Paymentus bills utilities and insurers on their behalf.
  { processor: 'paymentus', category: 'utilities', confidence: 0.55 },
];
