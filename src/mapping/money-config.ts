/**
 * Mapping configuration of the money side of order to cash: which B1 document chain an order
 * becomes, how Shopify payment gateways map to B1 means of payment, and how refunds are booked.
 *
 * Kept apart from `config.ts` (customers, products, orders, stock) so each file stays one concern;
 * `config.ts` embeds it as the `money` section. Objects are strict like the rest of the config: a
 * misspelt key is an error, not a setting silently ignored.
 */
import { z } from 'zod';

/**
 * What a Shopify order becomes in B1:
 * - salesOrder: a sales order (stock committed until delivery); payments and refunds are booked
 *   on account of the partner, since there is no invoice to apply them to.
 * - reserveInvoice: the Integration Hub's chain: the sales order, then an A/R reserve invoice based
 *   on it (the receivable is booked, stock stays committed until delivery); payments apply to
 *   the reserve invoice, refunds become credit memos against it.
 * - invoice: an order that Shopify reports fulfilled becomes an A/R invoice (stock moves with it).
 */
export const DOCUMENT_MODES = ['salesOrder', 'reserveInvoice', 'invoice'] as const;
export type DocumentMode = (typeof DOCUMENT_MODES)[number];

/** OACT.AcctCode: 15 characters (formatted codes are translated by the Service Layer). */
const glAccount = z.string().min(1, 'must not be empty').max(15, 'B1 G/L account codes (OACT.AcctCode) have at most 15 characters');

const expenseCode = z
  .number()
  .int('must be an integer B1 freight (AdditionalExpenses) code')
  .positive('must be a positive B1 freight code');

/**
 * One B1 means of payment. The Integration Hub books every non-cash method (cards, wallets,
 * PayPal, gift cards) as a credit card record; transfer and cash are there for gateways a
 * company books to a bank or cash account instead.
 */
export const PaymentMeansSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('creditCard'),
    /** CreditCards.CreditCardCode (OCRC.CreditCard) the payment line refers to. */
    creditCard: z.number().int('must be an integer B1 CreditCards code').positive('must be a positive B1 CreditCards code'),
  }),
  z.strictObject({ type: z.literal('transfer'), account: glAccount }),
  z.strictObject({ type: z.literal('cash'), account: glAccount }),
]);
export type PaymentMeans = z.infer<typeof PaymentMeansSchema>;

export const MoneyConfigSchema = z.strictObject({
  documentMode: z.enum(DOCUMENT_MODES).default('salesOrder'),
  /**
   * Largest difference (shop currency) between the B1 document's total and Shopify's before the
   * order fails with both totals named. Rounding per line in B1 can differ by a cent from
   * Shopify's rounding per order; anything beyond the tolerance is a mapping error, not noise.
   */
  totalTolerance: z
    .number()
    .min(0, 'must not be negative')
    .max(1, 'at most 1 (a larger difference is a wrong document, not rounding)')
    .default(0.01),
  /**
   * A difference within the tolerance (B1 rounds tax per line, Shopify per order): `document`
   * books it as the invoice's rounding (Rounding/RoundingDiffAmount), so the invoice total is
   * Shopify's and the payment closes it; `open` leaves the cent open on the invoice.
   */
  rounding: z.enum(['document', 'open']).default('document'),
  payments: z
    .strictObject({
      /** Shopify SALE/CAPTURE transactions with status SUCCESS become B1 incoming payments. */
      enabled: z.boolean().default(false),
      /**
       * Shopify gateway name (`OrderTransaction.gateway`, e.g. `shopify_payments`, `gift_card`,
       * `paypal`, `manual`) → B1 means of payment. Matched exactly, then case-insensitively. A
       * gateway missing here fails that payment with the gateway named; the order stays.
       */
      gateways: z.record(z.string().min(1, 'gateway names must not be empty').max(100), PaymentMeansSchema).default({}),
    })
    .prefault({}),
  refunds: z
    .strictObject({
      /** Shopify refunds become A/R credit memos, and their money an outgoing payment. */
      enabled: z.boolean().default(false),
      /** Freight code for order adjustments (refund discrepancies, restocking fees) on credit memos. */
      adjustmentExpenseCode: expenseCode.optional(),
      /** G/L account of the service line of a refund without line items (a goodwill amount). */
      goodwillAccount: glAccount.optional(),
    })
    .prefault({}),
});
export type MoneyConfig = z.infer<typeof MoneyConfigSchema>;

/** The means configured for a Shopify gateway: exact name first, then case-insensitive. */
export function meansForGateway(config: MoneyConfig, gateway: string): PaymentMeans | undefined {
  const exact = config.payments.gateways[gateway];
  if (exact) return exact;
  const wanted = gateway.trim().toLowerCase();
  for (const [name, means] of Object.entries(config.payments.gateways)) if (name.trim().toLowerCase() === wanted) return means;
  return undefined;
}

/**
 * Settings the money syncs cannot run without, beyond the schema: checked when they start (and by
 * the configuration summary), so a run that could only fail every record stops with the key named.
 */
export function moneyConfigProblems(object: 'payment' | 'refund', config: MoneyConfig): string[] {
  const problems: string[] = [];
  if (object === 'payment') {
    if (!config.payments.enabled)
      problems.push('money.payments.enabled: payments are switched off; set it to true to book Shopify payments in B1');
    else if (Object.keys(config.payments.gateways).length === 0)
      problems.push('money.payments.gateways: map at least one Shopify gateway to a B1 means of payment');
  }
  if (object === 'refund' && !config.refunds.enabled)
    problems.push('money.refunds.enabled: refunds are switched off; set it to true to book Shopify refunds in B1');
  return problems;
}
