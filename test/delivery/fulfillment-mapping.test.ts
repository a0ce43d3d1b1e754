/** The pure delivery → fulfillment mapping: matching, consumption across fulfillment orders, skips, tracking. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  couldBeOurs,
  formatFulfillmentIds,
  planFulfillment,
  trackingFor,
  unusableReason,
  type DeliveryDoc,
  type FoView,
} from '../../src/mapping/fulfillment';
import { firstRunStart } from '../../src/pipelines/delivery/fetch';
import { parseMappingConfig, validateMappingConfig, DEMO_MAPPING_CONFIG } from '../../src/mapping/config';

const LI = (n: number): string => `gid://shopify/LineItem/${n}`;
const fo = (
  id: number,
  lines: [foLine: number, lineItem: number, sku: string, remaining: number][],
  over: Partial<FoView> = {},
): FoView => ({
  id: `gid://shopify/FulfillmentOrder/${id}`,
  status: 'OPEN',
  requestStatus: 'UNSUBMITTED',
  canCreateFulfillment: true,
  atFulfillmentService: false,
  holds: [],
  linesTruncated: false,
  lines: lines.map(([l, li, sku, remainingQuantity]) => ({
    id: `gid://shopify/FulfillmentOrderLineItem/${l}`,
    lineItemId: LI(li),
    sku,
    remainingQuantity,
  })),
  ...over,
});
const delivery = (lines: DeliveryDoc['lines'], over: Partial<DeliveryDoc> = {}): DeliveryDoc => ({
  docEntry: 7,
  docNum: 107,
  lines,
  ...over,
});

describe('planFulfillment', () => {
  test('matches by the stored line item id, partial quantity, one group per fulfillment order', () => {
    const p = planFulfillment(delivery([{ lineNum: 0, itemCode: 'A1', quantity: 2, shopifyLineId: LI(1) }]), [
      fo(10, [
        [100, 1, 'A1', 5],
        [101, 2, 'A2', 1],
      ]),
    ]);
    assert.ok(p.ok);
    assert.deepEqual(p.groups, [
      {
        fulfillmentOrderId: 'gid://shopify/FulfillmentOrder/10',
        lines: [{ id: 'gid://shopify/FulfillmentOrderLineItem/100', quantity: 2 }],
      },
    ]);
  });

  test('consumes remaining quantities across open fulfillment orders', () => {
    const p = planFulfillment(delivery([{ lineNum: 0, itemCode: 'A1', quantity: 5, shopifyLineId: LI(1) }]), [
      fo(10, [[100, 1, 'A1', 3]]),
      fo(11, [[110, 1, 'A1', 4]]),
    ]);
    assert.ok(p.ok);
    assert.deepEqual(
      p.groups.map((g) => [g.fulfillmentOrderId.slice(-2), g.lines[0]!.quantity]),
      [
        ['10', 3],
        ['11', 2],
      ],
    );
  });

  test('the stored id wins over the SKU; SKU only for lines without one', () => {
    // Same SKU on two Shopify lines: the id picks line 2, the SKU fallback takes line 1 first.
    const fos = [
      fo(10, [
        [100, 1, 'A1', 1],
        [101, 2, 'A1', 1],
      ]),
    ];
    const byId = planFulfillment(delivery([{ lineNum: 0, itemCode: 'A1', quantity: 1, shopifyLineId: LI(2) }]), fos);
    assert.ok(byId.ok);
    assert.equal(byId.groups[0]!.lines[0]!.id, 'gid://shopify/FulfillmentOrderLineItem/101');
    const bySku = planFulfillment(delivery([{ lineNum: 0, itemCode: 'A1', quantity: 2 }]), fos);
    assert.ok(bySku.ok);
    assert.equal(bySku.groups[0]!.lines.length, 2);
  });

  test('held, closed and third-party fulfillment orders are skipped with a reason; a line left over fails the delivery, naming it', () => {
    const fos = [
      fo(10, [[100, 1, 'A1', 2]], { status: 'ON_HOLD', holds: ['OTHER'] }),
      fo(11, [[110, 1, 'A1', 2]], { requestStatus: 'ACCEPTED' }),
      fo(12, [[120, 1, 'A1', 0]], { status: 'CLOSED' }),
    ];
    assert.match(unusableReason(fos[0]!)!, /on hold/);
    assert.match(unusableReason(fos[1]!)!, /third-party/);
    assert.match(unusableReason(fos[2]!)!, /CLOSED/);
    const p = planFulfillment(delivery([{ lineNum: 3, itemCode: 'A1', quantity: 1, shopifyLineId: LI(1) }]), fos);
    assert.ok(!p.ok);
    assert.equal(p.issues[0]!.field, 'DocumentLines[3]');
    assert.match(p.issues[0]!.reason, /delivery 107 line 4 \(A1 × 1\): 1 of 1 match no open quantity.*on hold.*third-party/);
  });

  test('a delivery above the open quantity fails; a line item on no fulfillment order fails', () => {
    const fos = [fo(10, [[100, 1, 'A1', 1]])];
    assert.ok(!planFulfillment(delivery([{ lineNum: 0, itemCode: 'A1', quantity: 2, shopifyLineId: LI(1) }]), fos).ok);
    const p = planFulfillment(delivery([{ lineNum: 0, itemCode: 'A1', quantity: 1, shopifyLineId: LI(9) }]), fos);
    assert.ok(!p.ok);
    assert.match(p.issues[0]!.reason, /LineItem\/9 is on none/);
  });

  test('what earlier fulfillments of the delivery cover is not planned again; their fulfillment orders are excluded', () => {
    const fos = [fo(10, [[100, 1, 'A1', 0]]), fo(11, [[110, 1, 'A1', 3]])];
    const d = delivery([{ lineNum: 0, itemCode: 'A1', quantity: 4, shopifyLineId: LI(1) }]);
    const p = planFulfillment(d, fos, { [LI(1)]: 2 }, new Set([fos[0]!.id]));
    assert.ok(p.ok);
    assert.deepEqual(p.groups, [
      { fulfillmentOrderId: fos[1]!.id, lines: [{ id: 'gid://shopify/FulfillmentOrderLineItem/110', quantity: 2 }] },
    ]);
    const none = planFulfillment(d, fos, { [LI(1)]: 4 }, new Set([fos[0]!.id]));
    assert.ok(none.ok);
    assert.deepEqual(none.groups, []);
  });

  test('more than 250 lines on one fulfillment order fail instead of being cut', () => {
    const lines = Array.from({ length: 251 }, (_, i) => [1000 + i, i + 1, `S${i}`, 1] as [number, number, string, number]);
    const p = planFulfillment(
      delivery(lines.map(([, li, sku], i) => ({ lineNum: i, itemCode: sku, quantity: 1, shopifyLineId: LI(li) }))),
      [fo(10, lines)],
    );
    assert.ok(!p.ok);
    assert.match(p.issues[0]!.reason, /more than the 250/);
  });
});

describe('tracking and carriers', () => {
  const cfg = parseMappingConfig({
    ...DEMO_MAPPING_CONFIG,
    fulfillment: {
      carriers: { '1': { company: 'DHL Express' }, '2': { company: 'Local', url: 'https://track.example/{number}' } },
      notifyCustomer: false,
    },
  }).fulfillment;

  test('number from TrackingNumber, company from the shipping type, URL from the template', () => {
    assert.equal(trackingFor(cfg, { shippingType: 1 }), undefined);
    assert.deepEqual(trackingFor(cfg, { trackingNumber: ' 1Z9 ', shippingType: 1 }), { number: '1Z9', company: 'DHL Express' });
    assert.deepEqual(trackingFor(cfg, { trackingNumber: 'A B', shippingType: 2 }), {
      number: 'A B',
      company: 'Local',
      url: 'https://track.example/A%20B',
    });
    assert.deepEqual(trackingFor(cfg, { trackingNumber: 'X', shippingType: 9 }), { number: 'X' });
    assert.equal(cfg.notifyCustomer, false);
  });

  test('the carrier mapping is validated, naming the key', () => {
    const bad = validateMappingConfig({ ...DEMO_MAPPING_CONFIG, fulfillment: { carriers: { dhl: { company: 'DHL' } } } });
    assert.ok(!bad.ok);
    assert.match(bad.errors.join('\n'), /fulfillment\.carriers.*ShippingTypes codes/);
    const noPlaceholder = validateMappingConfig({
      ...DEMO_MAPPING_CONFIG,
      fulfillment: { carriers: { '1': { company: 'X', url: 'https://x/' } } },
    });
    assert.ok(!noPlaceholder.ok);
    assert.equal(parseMappingConfig(DEMO_MAPPING_CONFIG).fulfillment.notifyCustomer, true);
  });
});

describe('settling an unanswered create', () => {
  const d = delivery([{ lineNum: 0, itemCode: 'A1', quantity: 2, shopifyLineId: LI(1) }], { trackingNumber: 'T1' });
  const foLines = fo(10, [[100, 1, 'A1', 0]]).lines;
  const f = { id: 'gid://shopify/Fulfillment/5', status: 'SUCCESS', trackingNumber: 'T1', lines: { [LI(1)]: 2 } };

  test('a standing, unclaimed fulfillment only the delivery explains is ours', () => {
    assert.equal(couldBeOurs(f, d, foLines, new Set()), true);
    assert.equal(couldBeOurs(f, d, foLines, new Set([f.id])), false, 'claimed by another row');
    assert.equal(couldBeOurs({ ...f, status: 'CANCELLED' }, d, foLines, new Set()), false);
    assert.equal(couldBeOurs({ ...f, lines: { [LI(1)]: 3 } }, d, foLines, new Set()), false, 'more than delivered');
    assert.equal(couldBeOurs({ ...f, lines: { [LI(2)]: 1 } }, d, foLines, new Set()), false, 'another line');
    assert.equal(couldBeOurs({ ...f, trackingNumber: 'OTHER' }, d, foLines, new Set()), false, 'another tracking number');
  });

  test('write-back value is stable and short', () => {
    assert.equal(
      formatFulfillmentIds([
        { fulfillmentOrderId: 'gid://shopify/FulfillmentOrder/12', fulfillmentId: 'gid://shopify/Fulfillment/99' },
        { fulfillmentOrderId: 'gid://shopify/FulfillmentOrder/11', fulfillmentId: 'gid://shopify/Fulfillment/98' },
      ]),
      '11=98,12=99',
    );
  });
});

describe('first delta run', () => {
  test("reads the last days before B1's newest delivery (B1 clock), nothing when there is none", () => {
    assert.equal(firstRunStart('2026-12-03T10:15:00', 7), '2026-11-26T10:15:00');
    assert.equal(firstRunStart('2026-03-01T00:30:00', 1), '2026-02-28T00:30:00');
    assert.equal(firstRunStart(undefined, 7), '9999-12-31T00:00:00');
  });
});
