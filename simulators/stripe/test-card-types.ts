/** What a test card is and does when charged: the shape test-values.ts and test-cards.ts both fill. */
export type CardBehaviour =
  | { kind: 'succeed' }
  | { kind: 'decline'; code: string; declineCode: string }
  /** 3-D Secure on every payment (4000 0027 6000 3184). */
  | { kind: 'authenticate' }
  /** 3-D Secure required unless the card was set up for off-session use (4000 0025 0000 3155). */
  | { kind: 'authenticate-on-session' }

export interface TestCard {
  number: string
  brand: 'visa' | 'mastercard' | 'amex' | 'discover' | 'diners' | 'jcb' | 'unionpay'
  funding: 'credit' | 'debit' | 'prepaid'
  behaviour: CardBehaviour
  /** Attaching succeeds but every charge is declined (4000 0000 0000 0341). */
  attachOnly?: boolean
  /** Charges succeed; a refund starts succeeded and fails a little later (4000 0000 0000 5126). */
  refundFails?: boolean
  /** Charges succeed; a refund starts pending and succeeds a little later (4000 0000 0000 7726). */
  refundPending?: boolean
  /** The charge succeeds, then is disputed (4000 0000 0000 0259, 2685, 1976). */
  dispute?: DisputeKind
  /** Funds go straight to the available balance (4000 0000 0000 0077, 4000 0037 2000 0278). */
  bypassPending?: boolean
  /** Radar's risk evaluation of the charge (4000 0000 0000 9235, 4954). */
  risk?: 'elevated' | 'highest'
  /** Verification checks that fail when the value is provided (CVC 0101, postal code 0036, line 1 0028, both 0010, unavailable 0044). */
  checks?: { cvc?: 'fail'; postalCode?: 'fail' | 'unavailable'; line1?: 'fail' | 'unavailable' }
  /** Issuing country when not US. */
  country?: string
}

/** The dispute a test card draws, as Stripe's testing docs list them. */
export type DisputeKind = 'fraudulent' | 'product_not_received' | 'inquiry'
