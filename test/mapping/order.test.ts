import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { MappingResult } from '../../src/mapping/errors';
import { formatIssues, recordLabel } from '../../src/mapping/errors';
import { companyDate, decideOrderUpdate, mapOrderToSalesOrder, orderCardCode, orderFilter } from '../../src/mapping/order';
import type { B1OrderState } from '../../src/mapping/types';
import { config, line, order, usd } from './fixtures';

function value<T>(r: MappingResult<T>): T {
  if (!r.ok) assert.fail(`expected success, got ${JSON.stringify(r.errors)}`);
  return r.value;
}
function errors<T>(r: MappingResult<T>) {
  if (r.ok) assert.fail(`expected failure, got ${JSON.stringify(r.value)}`);
  return r.errors;
}

const skus = new Map([
  ['A100', 'A100'],
  ['B200', 'B200'],
  ['c-300', 'C300'],
]);
const ctx = { cardCode: 'C7234567890123', itemCodeBySku: skus };

describe('Shopify order → B1 sales order', () => {
  test('maps header, lines, freight and addresses', () => {
    assert.deepEqual(value(mapOrderToSalesOrder(order(), config(), ctx)), {
      CardCode: 'C7234567890123',
      DocDate: '2026-06-15',
      DocDueDate: '2026-06-15',
      TaxDate: '2026-06-15',
      NumAtCard: '#1001',
      DocCurrency: 'USD',
      U_ShopifyId: 'gid://shopify/Order/5',
      DocumentLines: [
        {
          ItemCode: 'A100',
          Quantity: 2,
          UnitPrice: 20,
          DiscountPercent: 10,
          WarehouseCode: '01',
          TaxCode: 'NY',
          U_ShopifyLineId: 'gid://shopify/LineItem/1',
        },
      ],
      DocumentAdditionalExpenses: [{ ExpenseCode: 1, LineTotal: 7.5, TaxCode: 'NY', Remarks: 'Standard' }],
      AddressExtension: {
        ShipToStreet: '1 Analytical Way',
        ShipToCity: 'New York',
        ShipToZipCode: '10001',
        ShipToCountry: 'US',
        ShipToState: 'NY',
        BillToStreet: '9 Billing Rd',
        BillToCity: 'Albany',
        BillToZipCode: '12207',
        BillToCountry: 'US',
        BillToState: 'NY',
      },
    });
  });

  test('lines: currentQuantity, zero-quantity lines skipped, warehouses by location, untaxed lines exempt', () => {
    const o = order({
      lineItems: [
        line({ id: 'gid://shopify/LineItem/1', sku: 'A100', quantity: 3, currentQuantity: 1 }),
        line({ id: 'gid://shopify/LineItem/2', sku: 'B200', currentQuantity: 0 }),
        line({
          id: 'gid://shopify/LineItem/3',
          sku: 'c-300',
          currentQuantity: 4,
          locationId: 'gid://shopify/Location/20',
          originalUnitPriceSet: usd('9.99'),
          discountedUnitPriceAfterAllDiscountsSet: usd('9.99'),
          taxLines: [],
        }),
        line({
          id: 'gid://shopify/LineItem/4',
          sku: 'B200',
          currentQuantity: 1,
          locationId: null,
          originalUnitPriceSet: usd('0.00'),
          discountedUnitPriceAfterAllDiscountsSet: usd('0.00'),
        }),
      ],
    });
    const doc = value(mapOrderToSalesOrder(o, config(), ctx));
    assert.deepEqual(doc.DocumentLines, [
      {
        ItemCode: 'A100',
        Quantity: 1,
        UnitPrice: 20,
        DiscountPercent: 10,
        WarehouseCode: '01',
        TaxCode: 'NY',
        U_ShopifyLineId: 'gid://shopify/LineItem/1',
      },
      {
        ItemCode: 'C300',
        Quantity: 4,
        UnitPrice: 9.99,
        DiscountPercent: 0,
        WarehouseCode: '03',
        TaxCode: 'EX',
        U_ShopifyLineId: 'gid://shopify/LineItem/3',
      },
      {
        ItemCode: 'B200',
        Quantity: 1,
        UnitPrice: 0,
        DiscountPercent: 0,
        WarehouseCode: '01',
        TaxCode: 'NY',
        U_ShopifyLineId: 'gid://shopify/LineItem/4',
      },
    ]);
  });

  test('an unknown SKU fails the whole order with the line and SKU named', () => {
    const o = order({ lineItems: [line(), line({ id: 'gid://shopify/LineItem/2', sku: 'X9' })] });
    const errs = errors(mapOrderToSalesOrder(o, config(), ctx));
    assert.deepEqual(errs, [{ field: 'lineItems[1].sku', reason: "line 2 SKU 'X9' has no B1 item" }]);
    assert.equal(
      formatIssues(recordLabel('order', o.id, o.name), errs),
      "order #1001 (gid://shopify/Order/5): line 2 SKU 'X9' has no B1 item",
    );
  });

  test('a line from an unmapped location fails unless a default warehouse is configured', () => {
    const o = order({ lineItems: [line({ locationId: 'gid://shopify/Location/99' })] });
    const cfg = config((c) => delete c.order.defaultWarehouse);
    const errs = errors(mapOrderToSalesOrder(o, cfg, ctx));
    assert.deepEqual(errs, [
      {
        field: 'lineItems[0].locationId',
        reason:
          "line 1 SKU 'A100': location gid://shopify/Location/99 has no B1 warehouse (config locations[].locationId) and order.defaultWarehouse is not set",
      },
    ]);
    assert.equal(value(mapOrderToSalesOrder(o, config(), ctx)).DocumentLines[0]!.WarehouseCode, '01');
    const noLoc = order({ lineItems: [line({ locationId: null })] });
    assert.match(
      errors(mapOrderToSalesOrder(noLoc, cfg, ctx))[0]!.reason,
      /no fulfillment location and order\.defaultWarehouse is not set/,
    );
    // POS orders fall back to the retail location.
    const pos = order({ lineItems: [line({ locationId: null })], retailLocation: { id: 'gid://shopify/Location/20' } });
    assert.equal(value(mapOrderToSalesOrder(pos, cfg, ctx)).DocumentLines[0]!.WarehouseCode, '03');
  });

  test('a taxed line in a region with no tax code fails once, naming the region and key', () => {
    const o = order({
      shippingAddress: { city: 'Seattle', provinceCode: 'WA', countryCodeV2: 'US' },
      lineItems: [line(), line({ id: 'gid://shopify/LineItem/2', sku: 'B200' })],
    });
    const cfg = config((c) => (c.order.tax = { mode: 'taxCode', codeByRegion: { 'US-NY': 'NY' }, exemptTaxCode: 'EX' }));
    const errs = errors(mapOrderToSalesOrder(o, cfg, ctx));
    assert.deepEqual(errs, [
      {
        field: 'shippingAddress.provinceCode',
        reason: 'no B1 tax code for region US-WA (config order.tax.codeByRegion["US-WA"] or order.tax.defaultTaxCode)',
      },
    ]);
    // The country-level entry is the fallback.
    assert.equal(value(mapOrderToSalesOrder(o, config(), ctx)).DocumentLines[0]!.TaxCode, 'US');
  });

  test('tax as freight: lines carry the zero-rate code and the tax total becomes a freight line', () => {
    const cfg = config((c) => (c.order.tax = { mode: 'taxAsFreight', expenseCode: 2, lineTaxCode: 'EX' }));
    const doc = value(mapOrderToSalesOrder(order(), cfg, ctx));
    assert.equal(doc.DocumentLines[0]!.TaxCode, 'EX');
    assert.deepEqual(doc.DocumentAdditionalExpenses, [
      { ExpenseCode: 1, LineTotal: 7.5, TaxCode: 'EX', Remarks: 'Standard' },
      { ExpenseCode: 2, LineTotal: 2.04, TaxCode: 'EX', Remarks: 'Shopify tax' },
    ]);
  });

  test('shipping lines collapse into one freight line; removed and free shipping add nothing', () => {
    const o = order({
      shippingLines: [
        { title: 'Express', currentDiscountedPriceSet: usd('10.10'), taxLines: [] },
        { title: 'Oversize', discountedPriceSet: usd('0.20'), taxLines: [] },
        { title: 'Old', isRemoved: true, currentDiscountedPriceSet: usd('99.00') },
      ],
    });
    assert.deepEqual(value(mapOrderToSalesOrder(o, config(), ctx)).DocumentAdditionalExpenses, [
      { ExpenseCode: 1, LineTotal: 10.3, TaxCode: 'EX', Remarks: 'Express, Oversize' },
    ]);
    const free = order({ shippingLines: [{ title: 'Free', currentDiscountedPriceSet: usd('0.00') }] });
    assert.equal(value(mapOrderToSalesOrder(free, config(), ctx)).DocumentAdditionalExpenses, undefined);
  });

  test('gift cards, lines without SKU and bad addresses fail with fields', () => {
    const o = order({
      lineItems: [
        line({ isGiftCard: true, sku: null, name: 'Gift card' }),
        line({ id: 'gid://shopify/LineItem/2', sku: ' ', name: 'Mystery' }),
      ],
      shippingAddress: { address1: 'x'.repeat(101), countryCodeV2: 'XX' },
    });
    const errs = errors(mapOrderToSalesOrder(o, config(), ctx));
    assert.deepEqual(
      errs.map((e) => e.field),
      [
        'lineItems[0].isGiftCard',
        'lineItems[1].sku',
        'shippingAddress.countryCodeV2',
        'shippingAddress.address1',
        'shippingAddress.countryCodeV2',
      ],
    );
    assert.match(errs[2]!.reason, /no B1 tax code for region XX/);
    assert.match(errs[3]!.reason, /^ShipToStreet would be 101 characters, B1 allows 100$/);
  });

  test('tax-inclusive prices (VAT) become net prices; VAT localisations get VatGroup', () => {
    const cfg = config((c) => (c.order.tax = { mode: 'taxCode', codeField: 'VatGroup', codeByRegion: { DE: 'S1' }, exemptTaxCode: 'S0' }));
    const vat = (amount: string) => [{ title: 'DE MwSt', rate: 0.19, priceSet: usd(amount) }];
    const o = order({
      taxesIncluded: true,
      shippingAddress: { address1: 'Hauptstraße 1', city: 'Köln', zip: '50667', countryCodeV2: 'DE' },
      billingAddress: null,
      lineItems: [
        line({
          originalUnitPriceSet: usd('119.00'),
          discountedUnitPriceAfterAllDiscountsSet: usd('107.10'),
          currentQuantity: 1,
          taxLines: vat('17.10'),
        }),
      ],
      shippingLines: [{ title: 'DHL', currentDiscountedPriceSet: usd('5.95'), taxLines: vat('0.95') }],
    });
    const doc = value(mapOrderToSalesOrder(o, cfg, ctx));
    assert.deepEqual(doc.DocumentLines, [
      {
        ItemCode: 'A100',
        Quantity: 1,
        UnitPrice: 100,
        DiscountPercent: 10,
        WarehouseCode: '01',
        VatGroup: 'S1',
        U_ShopifyLineId: 'gid://shopify/LineItem/1',
      },
    ]);
    assert.deepEqual(doc.DocumentAdditionalExpenses, [{ ExpenseCode: 1, LineTotal: 5, VatGroup: 'S1', Remarks: 'DHL' }]);

    // Without a rate the net price cannot be derived: the order fails on that line.
    const noRate = order({
      taxesIncluded: true,
      lineItems: [line({ taxLines: [{ title: 'VAT', rate: null, priceSet: usd('1.00') }] })],
      shippingLines: [],
    });
    assert.deepEqual(
      errors(mapOrderToSalesOrder(noRate, config(), ctx)).map((e) => e.field),
      ['lineItems[0].taxLines'],
    );
  });

  test('unicode in addresses and order names is preserved', () => {
    // Export to Switzerland: Shopify charged no US tax, so lines and freight are exempt.
    const o = order({
      name: '#Ü-1001',
      shippingAddress: { address1: 'Rue de l’Église 3', city: 'Genève', countryCodeV2: 'CH', zip: '1204' },
      lineItems: [line({ taxLines: [] })],
      shippingLines: [],
    });
    const doc = value(mapOrderToSalesOrder(o, config(), ctx));
    assert.equal(doc.NumAtCard, '#Ü-1001');
    assert.equal(doc.AddressExtension?.ShipToStreet, 'Rue de l’Église 3');
    assert.equal(doc.AddressExtension?.ShipToCity, 'Genève');
  });

  test('due date offset and currency code mapping', () => {
    const cfg = config((c) => {
      c.order.dueDays = 3;
      c.order.currencyCodes = { USD: '$' };
    });
    const doc = value(mapOrderToSalesOrder(order({ processedAt: '2026-12-30T12:00:00Z' }), cfg, ctx));
    assert.equal(doc.DocDueDate, '2027-01-02');
    assert.equal(doc.DocCurrency, '$');
  });

  test('the guest partner takes orders without a cross-referenced customer', () => {
    const cfg = config();
    assert.equal(orderCardCode(order({ customer: null }), undefined, cfg), 'SHOPGUEST');
    assert.equal(orderCardCode(order(), undefined, cfg), 'SHOPGUEST');
    assert.equal(orderCardCode(order(), 'C1', cfg), 'C1');
  });
});

describe('DocDate in the company time zone', () => {
  const ny = 'America/New_York';
  test('evening orders keep the local date, not the UTC one', () => {
    assert.equal(companyDate('2026-06-16T03:30:00Z', ny), '2026-06-15');
    assert.equal(companyDate('2026-06-15T23:30:00-04:00', ny), '2026-06-15');
    assert.equal(companyDate('2026-06-16T03:30:00Z', 'Europe/Berlin'), '2026-06-16');
  });

  test('spring-forward day (8 March 2026): the offset changes from -5 to -4 at 07:00Z', () => {
    assert.equal(companyDate('2026-03-08T04:59:59Z', ny), '2026-03-07'); // 23:59:59 EST
    assert.equal(companyDate('2026-03-08T05:00:00Z', ny), '2026-03-08'); // 00:00 EST
    // 04:30Z on 9 March is 00:30 EDT; a fixed EST offset would wrongly give 8 March.
    assert.equal(companyDate('2026-03-09T04:30:00Z', ny), '2026-03-09');
  });

  test('fall-back day (1 November 2026): the offset changes from -4 to -5 at 06:00Z', () => {
    assert.equal(companyDate('2026-11-01T03:59:59Z', ny), '2026-10-31'); // 23:59:59 EDT
    assert.equal(companyDate('2026-11-01T04:00:00Z', ny), '2026-11-01'); // 00:00 EDT
    // 04:30Z on 2 November is 23:30 EST on 1 November; a fixed EDT offset would give 2 November.
    assert.equal(companyDate('2026-11-02T04:30:00Z', ny), '2026-11-01');
  });

  test('southern-hemisphere DST (Sydney, April 2026) and half-hour zones', () => {
    // DST ends 5 April 2026 03:00 AEDT → 02:00 AEST (16:00Z on 4 April).
    assert.equal(companyDate('2026-04-04T13:30:00Z', 'Australia/Sydney'), '2026-04-05'); // 00:30 AEDT
    assert.equal(companyDate('2026-04-05T13:30:00Z', 'Australia/Sydney'), '2026-04-05'); // 23:30 AEST
    assert.equal(companyDate('2026-06-15T18:29:00Z', 'Asia/Kolkata'), '2026-06-15'); // 23:59 IST
    assert.equal(companyDate('2026-06-15T18:30:00Z', 'Asia/Kolkata'), '2026-06-16');
  });

  test('an unparseable processedAt fails the order on that field', () => {
    assert.equal(companyDate('yesterday', ny), undefined);
    const errs = errors(mapOrderToSalesOrder(order({ processedAt: '2026-13-45' }), config(), ctx));
    assert.deepEqual(
      errs.map((e) => e.field),
      ['processedAt'],
    );
  });
});

describe('order filter', () => {
  const cfg = config();
  test('paid and authorized orders pass by default', () => {
    assert.deepEqual(orderFilter(order(), cfg), { pass: true });
    assert.deepEqual(orderFilter(order({ displayFinancialStatus: 'AUTHORIZED' }), cfg), { pass: true });
  });
  test('other statuses, test orders, cancelled and fully removed orders are skipped with the rule', () => {
    assert.deepEqual(orderFilter(order({ displayFinancialStatus: 'PENDING' }), cfg), { pass: false, rule: 'financial-status:PENDING' });
    assert.deepEqual(orderFilter(order({ displayFinancialStatus: null }), cfg), { pass: false, rule: 'financial-status:NONE' });
    assert.deepEqual(orderFilter(order({ test: true }), cfg), { pass: false, rule: 'test-order' });
    assert.deepEqual(orderFilter(order({ cancelledAt: '2026-06-15T15:00:00Z' }), cfg), { pass: false, rule: 'cancelled' });
    assert.deepEqual(orderFilter(order({ lineItems: [line({ currentQuantity: 0 })] }), cfg), { pass: false, rule: 'no-open-lines' });
  });
  test('configuration can admit test orders and pending payments', () => {
    const c = config((x) => {
      x.order.includeTestOrders = true;
      x.order.financialStatuses = ['PENDING'];
    });
    assert.deepEqual(orderFilter(order({ test: true, displayFinancialStatus: 'PENDING' }), c), { pass: true });
    assert.deepEqual(orderFilter(order(), c), { pass: false, rule: 'financial-status:PAID' });
  });
});

describe('order update decisions', () => {
  const cfg = config();
  const b1 = (over: Partial<B1OrderState> = {}): B1OrderState => ({
    DocEntry: 22,
    DocumentStatus: 'bost_Open',
    Cancelled: 'tNO',
    DocumentLines: [{ LineNum: 0, ItemCode: 'A100', Quantity: 2, LineStatus: 'bost_Open', RemainingOpenQuantity: 2 }],
    ...over,
  });
  const cancelled = '2026-06-16T10:00:00Z';

  test('unchanged order: nothing', () => {
    assert.deepEqual(decideOrderUpdate(b1(), order(), cfg, ctx), { action: 'nothing' });
  });

  test('cancelled in Shopify: cancel while open, nothing if already cancelled, report when closed', () => {
    assert.deepEqual(decideOrderUpdate(b1(), order({ cancelledAt: cancelled }), cfg, ctx), { action: 'cancel', docEntry: 22 });
    assert.deepEqual(
      decideOrderUpdate(b1({ Cancelled: 'tYES', DocumentStatus: 'bost_Close' }), order({ cancelledAt: cancelled }), cfg, ctx),
      { action: 'nothing' },
    );
    const d = decideOrderUpdate(b1({ DocumentStatus: 'bost_Close' }), order({ cancelledAt: cancelled }), cfg, ctx);
    assert.equal(d.action, 'report-not-applied');
    assert.match(d.action === 'report-not-applied' ? d.reason : '', /cancelled in Shopify but B1 order 22 is already closed/);
  });

  test('cancelled in B1 only: report', () => {
    const d = decideOrderUpdate(b1({ Cancelled: 'tYES' }), order(), cfg, ctx);
    assert.deepEqual(d, {
      action: 'report-not-applied',
      field: 'cancelledAt',
      reason: 'B1 order 22 is cancelled but Shopify order #1001 is not',
    });
  });

  test('quantity edits on an open order patch quantities, add new items and close removed ones', () => {
    const existing = b1({
      DocumentLines: [
        { LineNum: 0, ItemCode: 'A100', Quantity: 2, LineStatus: 'bost_Open', RemainingOpenQuantity: 2 },
        { LineNum: 1, ItemCode: 'B200', Quantity: 1, LineStatus: 'bost_Open', RemainingOpenQuantity: 1 },
      ],
    });
    const o = order({
      lineItems: [
        line({ sku: 'A100', currentQuantity: 5 }),
        line({ id: 'gid://shopify/LineItem/2', sku: 'B200', currentQuantity: 0 }),
        line({ id: 'gid://shopify/LineItem/3', sku: 'c-300', currentQuantity: 1, taxLines: [] }),
      ],
    });
    assert.deepEqual(decideOrderUpdate(existing, o, cfg, ctx), {
      action: 'patch',
      docEntry: 22,
      patch: {
        DocumentLines: [
          { LineNum: 0, Quantity: 5 },
          { LineNum: 1, LineStatus: 'bost_Close' },
          {
            ItemCode: 'C300',
            Quantity: 1,
            UnitPrice: 20,
            DiscountPercent: 10,
            WarehouseCode: '01',
            TaxCode: 'EX',
            U_ShopifyLineId: 'gid://shopify/LineItem/3',
          },
        ],
      },
    });
  });

  test('lines added in B1 (items never on the Shopify order) are left alone', () => {
    const existing = b1({
      DocumentLines: [
        { LineNum: 0, ItemCode: 'A100', Quantity: 2, LineStatus: 'bost_Open', RemainingOpenQuantity: 2 },
        { LineNum: 1, ItemCode: 'SVC-INSTALL', Quantity: 1, LineStatus: 'bost_Open', RemainingOpenQuantity: 1 },
      ],
    });
    assert.deepEqual(decideOrderUpdate(existing, order(), cfg, ctx), { action: 'nothing' });
    assert.deepEqual(decideOrderUpdate(existing, order({ lineItems: [line({ currentQuantity: 1 })] }), cfg, ctx), {
      action: 'patch',
      docEntry: 22,
      patch: { DocumentLines: [{ LineNum: 0, Quantity: 1 }] },
    });
  });

  test('edits B1 cannot take are reported and nothing is patched', () => {
    // Reduced below what B1 already delivered on the line.
    const delivered = b1({
      DocumentLines: [{ LineNum: 0, ItemCode: 'A100', Quantity: 2, LineStatus: 'bost_Open', RemainingOpenQuantity: 0 }],
    });
    const d1 = decideOrderUpdate(delivered, order({ lineItems: [line({ currentQuantity: 1 })] }), cfg, ctx);
    assert.equal(d1.action, 'report-not-applied');
    assert.match(
      d1.action === 'report-not-applied' ? d1.reason : '',
      /Shopify quantity 1 is below the 2 B1 has already delivered on line 0/,
    );

    // Any quantity change on a closed order.
    const d2 = decideOrderUpdate(
      b1({
        DocumentStatus: 'bost_Close',
        DocumentLines: [{ LineNum: 0, ItemCode: 'A100', Quantity: 2, LineStatus: 'bost_Close', RemainingOpenQuantity: 0 }],
      }),
      order({ lineItems: [line({ currentQuantity: 3 })] }),
      cfg,
      ctx,
    );
    assert.deepEqual(d2, {
      action: 'report-not-applied',
      field: 'lineItems',
      reason: "quantity edits not applied: item 'A100': quantity is 3 in Shopify, 2 in B1 order 22, which is closed",
    });

    // The same item on two open lines: ambiguous, and the other (valid) edit is not half-applied.
    const twoLines = b1({
      DocumentLines: [
        { LineNum: 0, ItemCode: 'A100', Quantity: 1, LineStatus: 'bost_Open' },
        { LineNum: 1, ItemCode: 'A100', Quantity: 1, LineStatus: 'bost_Open' },
        { LineNum: 2, ItemCode: 'B200', Quantity: 1, LineStatus: 'bost_Open' },
      ],
    });
    const d3 = decideOrderUpdate(
      twoLines,
      order({ lineItems: [line({ currentQuantity: 3 }), line({ id: 'gid://shopify/LineItem/2', sku: 'B200', currentQuantity: 4 })] }),
      cfg,
      ctx,
    );
    assert.equal(d3.action, 'report-not-applied');
    assert.match(d3.action === 'report-not-applied' ? d3.reason : '', /item 'A100' is on 2 open lines/);

    // An edit adding an unknown SKU.
    const d4 = decideOrderUpdate(
      b1(),
      order({ lineItems: [line(), line({ id: 'gid://shopify/LineItem/9', sku: 'NOPE', currentQuantity: 1 })] }),
      cfg,
      ctx,
    );
    assert.deepEqual(d4, { action: 'report-not-applied', field: 'lineItems[1].sku', reason: "line 2 SKU 'NOPE' has no B1 item" });
  });

  test('a closed line counts what was delivered; a same-quantity closed order is unchanged', () => {
    const closedOrder = b1({
      DocumentStatus: 'bost_Close',
      DocumentLines: [{ LineNum: 0, ItemCode: 'A100', Quantity: 2, LineStatus: 'bost_Close', RemainingOpenQuantity: 0 }],
    });
    assert.deepEqual(decideOrderUpdate(closedOrder, order(), cfg, ctx), { action: 'nothing' });
    // A line the hub closed after a removal (nothing delivered) stays satisfied by quantity 0.
    const removed = b1({
      DocumentLines: [
        { LineNum: 0, ItemCode: 'A100', Quantity: 2, LineStatus: 'bost_Open', RemainingOpenQuantity: 2 },
        { LineNum: 1, ItemCode: 'B200', Quantity: 1, LineStatus: 'bost_Close', RemainingOpenQuantity: 1 },
      ],
    });
    assert.deepEqual(
      decideOrderUpdate(
        removed,
        order({ lineItems: [line(), line({ id: 'gid://shopify/LineItem/2', sku: 'B200', currentQuantity: 0 })] }),
        cfg,
        ctx,
      ),
      { action: 'nothing' },
    );
  });
});
