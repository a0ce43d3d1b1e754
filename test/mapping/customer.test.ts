import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cardCodeFor, customerLookup, diffBusinessPartner, mapCustomerToBusinessPartner } from '../../src/mapping/customer';
import type { MappingResult } from '../../src/mapping/errors';
import type { B1BusinessPartner } from '../../src/mapping/types';
import { config, customer } from './fixtures';

function value<T>(r: MappingResult<T>): T {
  if (!r.ok) assert.fail(`expected success, got ${JSON.stringify(r.errors)}`);
  return r.value;
}

function errors<T>(r: MappingResult<T>) {
  if (r.ok) assert.fail(`expected failure, got ${JSON.stringify(r.value)}`);
  return r.errors;
}

describe('customer → business partner', () => {
  test('maps a full customer to a BusinessPartners POST body', () => {
    const bp = value(mapCustomerToBusinessPartner(customer(), config()));
    assert.deepEqual(bp, {
      CardCode: 'C7234567890123',
      CardName: 'Ada Lovelace',
      CardType: 'cCustomer',
      GroupCode: 100,
      Currency: '##',
      EmailAddress: 'ada@example.com',
      Phone1: '+12125550100',
      Cellular: '+14155550123',
      BilltoDefault: 'SHOPIFY-901',
      ShipToDefault: 'SHOPIFY-901',
      U_ShopifyId: 'gid://shopify/Customer/7234567890123',
      BPAddresses: [
        {
          AddressName: 'SHOPIFY-901',
          AddressType: 'bo_BillTo',
          Street: '1 Analytical Way',
          BuildingFloorRoom: 'Suite 2',
          City: 'New York',
          ZipCode: '10001',
          Country: 'US',
          State: 'NY',
        },
        {
          AddressName: 'SHOPIFY-901',
          AddressType: 'bo_ShipTo',
          Street: '1 Analytical Way',
          BuildingFloorRoom: 'Suite 2',
          City: 'New York',
          ZipCode: '10001',
          Country: 'US',
          State: 'NY',
        },
        {
          AddressName: 'SHOPIFY-902',
          AddressType: 'bo_ShipTo',
          Street: '5 Engine St',
          City: 'Toronto',
          ZipCode: 'M5V 2T6',
          Country: 'CA',
          State: 'ON',
        },
      ],
    });
  });

  test('numbering series mode sends Series instead of CardCode', () => {
    const bp = value(
      mapCustomerToBusinessPartner(
        customer(),
        config((c) => (c.customer.cardCode = { mode: 'series', series: 71 })),
      ),
    );
    assert.equal(bp.CardCode, undefined);
    assert.equal(bp.Series, 71);
  });

  test('a CardCode over 15 characters fails naming the rule', () => {
    const cfg = config((c) => (c.customer.cardCode = { mode: 'prefix', prefix: 'CU' }));
    const errs = errors(cardCodeFor('gid://shopify/Customer/72345678901234', cfg));
    assert.equal(errs[0]!.field, 'id');
    assert.match(errs[0]!.reason, /CardCode would be 16 characters, B1 allows 15 \('CU72345678901234'\)/);
  });

  test('unicode names and addresses are preserved; length counts characters, not bytes', () => {
    const name = 'Zoë Ñúñez-Łukasiewicz 山田太郎';
    const bp = value(
      mapCustomerToBusinessPartner(
        customer({
          firstName: name,
          lastName: null,
          defaultAddress: {
            id: 'gid://shopify/MailingAddress/1',
            address1: 'Straße 5 ✓',
            city: 'Zürich',
            countryCodeV2: 'CH',
            zip: '8001',
          },
          addressesV2: [],
        }),
        config(),
      ),
    );
    assert.equal(bp.CardName, name);
    assert.equal(bp.BPAddresses[0]!.Street, 'Straße 5 ✓');
    assert.equal(bp.BPAddresses[0]!.City, 'Zürich');
    // 100 emoji are 200 UTF-16 units but 100 characters: still fits CardName.
    const emoji = '😀'.repeat(100);
    assert.equal(value(mapCustomerToBusinessPartner(customer({ firstName: emoji, lastName: '' }), config())).CardName, emoji);
  });

  test('an over-long name fails with the field and the limit', () => {
    const errs = errors(mapCustomerToBusinessPartner(customer({ firstName: 'A'.repeat(60), lastName: 'B'.repeat(45) }), config()));
    assert.deepEqual(errs, [{ field: 'firstName/lastName', reason: 'CardName would be 106 characters, B1 allows 100' }]);
  });

  test('an invalid email fails with the email and the field', () => {
    for (const bad of ['ada@@example.com', 'ada example@x.com', 'ada@localhost', '@example.com', 'ada@example.c0m']) {
      const errs = errors(mapCustomerToBusinessPartner(customer({ defaultEmailAddress: { emailAddress: bad } }), config()));
      assert.equal(errs.length, 1, bad);
      assert.equal(errs[0]!.field, 'defaultEmailAddress.emailAddress');
      assert.ok(errs[0]!.reason.includes(bad), errs[0]!.reason);
    }
    // International addresses are valid.
    const ok = mapCustomerToBusinessPartner(customer({ defaultEmailAddress: { emailAddress: 'zoë@exämple.de' } }), config());
    assert.equal(ok.ok, true);
  });

  test('invalid country and unfit province codes fail per address', () => {
    const errs = errors(
      mapCustomerToBusinessPartner(
        customer({
          defaultAddress: { id: 'gid://shopify/MailingAddress/1', address1: 'x', countryCodeV2: 'ZZ' },
          addressesV2: [{ id: 'gid://shopify/MailingAddress/2', countryCodeV2: 'US', provinceCode: 'NEWY' }],
        }),
        config(),
      ),
    );
    assert.deepEqual(
      errs.map((e) => e.field),
      ['defaultAddress.countryCodeV2', 'addressesV2[0].provinceCode'],
    );
    assert.match(errs[0]!.reason, /country 'ZZ'/);
  });

  test('country-prefixed province codes (JP-13) become B1 state codes', () => {
    const bp = value(
      mapCustomerToBusinessPartner(
        customer({
          defaultAddress: { id: 'gid://shopify/MailingAddress/3', city: 'Tokyo', countryCodeV2: 'JP', provinceCode: 'JP-13' },
          addressesV2: [],
        }),
        config(),
      ),
    );
    assert.equal(bp.BPAddresses[0]!.State, '13');
  });

  test('a customer with no name, company or email fails', () => {
    const errs = errors(
      mapCustomerToBusinessPartner(customer({ firstName: ' ', lastName: null, defaultEmailAddress: null, defaultAddress: null }), config()),
    );
    assert.equal(errs[0]!.field, 'firstName');
  });

  test('a name-less customer falls back to company, then email', () => {
    const c = customer({ firstName: null, lastName: null });
    c.defaultAddress = { ...c.defaultAddress!, company: 'Analytical Engines Ltd' };
    assert.equal(value(mapCustomerToBusinessPartner(c, config())).CardName, 'Analytical Engines Ltd');
    assert.equal(
      value(mapCustomerToBusinessPartner(customer({ firstName: null, lastName: null, defaultAddress: null }), config())).CardName,
      'ada@example.com',
    );
  });

  test('over-long address parts and phones fail with their source field', () => {
    const c = customer({ defaultPhoneNumber: { phoneNumber: '+1'.padEnd(60, '5') } });
    c.addressesV2 = [{ id: 'gid://shopify/MailingAddress/5', zip: '1'.repeat(21), countryCodeV2: 'US' }];
    const errs = errors(mapCustomerToBusinessPartner(c, config()));
    assert.deepEqual(
      errs.map((e) => e.field),
      ['defaultPhoneNumber.phoneNumber', 'addressesV2[0].zip'],
    );
  });

  test('lookup uses the email only when linking by email is on', () => {
    assert.deepEqual(customerLookup(customer(), config()), { shopifyId: 'gid://shopify/Customer/7234567890123', email: 'ada@example.com' });
    assert.deepEqual(
      customerLookup(
        customer(),
        config((c) => (c.customer.linkByEmail = false)),
      ),
      { shopifyId: 'gid://shopify/Customer/7234567890123' },
    );
  });
});

describe('diffBusinessPartner', () => {
  const desired = () => value(mapCustomerToBusinessPartner(customer(), config()));
  const asRead = (): B1BusinessPartner => {
    const d = desired();
    return {
      CardCode: 'C7234567890123',
      CardName: d.CardName,
      EmailAddress: d.EmailAddress ?? null,
      Phone1: d.Phone1 ?? null,
      Cellular: d.Cellular ?? null,
      BilltoDefault: d.BilltoDefault ?? null,
      ShipToDefault: d.ShipToDefault ?? null,
      U_ShopifyId: d.U_ShopifyId,
      BPAddresses: d.BPAddresses.map((a, i) => ({ ...a, RowNum: i, BPCode: 'C7234567890123', State: a.State ?? null })),
    };
  };

  test('an unchanged partner yields no patch', () => {
    assert.equal(diffBusinessPartner(asRead(), desired()), null);
  });

  test('empty strings and nulls in B1 compare equal to absent values', () => {
    const existing = asRead();
    existing.BPAddresses![2]!.BuildingFloorRoom = '';
    assert.equal(diffBusinessPartner(existing, desired()), null);
  });

  test('only changed scalar fields are patched', () => {
    const existing = { ...asRead(), EmailAddress: 'old@example.com', CardName: 'Ada King' };
    assert.deepEqual(diffBusinessPartner(existing, desired()), { CardName: 'Ada Lovelace', EmailAddress: 'ada@example.com' });
  });

  test('a value Shopify no longer has is not cleared in B1', () => {
    const d = value(mapCustomerToBusinessPartner(customer({ defaultPhoneNumber: null }), config()));
    const existing = asRead();
    // The landline is now the only phone, so Phone1 stays; Cellular was enriched/kept in B1.
    assert.equal(diffBusinessPartner(existing, d), null);
  });

  test('addresses merge by name and type: changed rows carry RowNum, new rows are added, B1-only rows are kept', () => {
    const existing = asRead();
    existing.BPAddresses![2] = { ...existing.BPAddresses![2]!, City: 'Ottawa' };
    existing.BPAddresses!.push({ AddressName: 'WAREHOUSE DOCK', AddressType: 'bo_ShipTo', City: 'Newark', RowNum: 9 });
    const c = customer();
    c.addressesV2!.push({
      id: 'gid://shopify/MailingAddress/903',
      address1: 'New Rd 1',
      city: 'Boston',
      countryCodeV2: 'US',
      provinceCode: 'MA',
    });
    const patch = diffBusinessPartner(existing, value(mapCustomerToBusinessPartner(c, config())));
    assert.deepEqual(patch, {
      BPAddresses: [
        {
          AddressName: 'SHOPIFY-902',
          AddressType: 'bo_ShipTo',
          RowNum: 2,
          Street: '5 Engine St',
          BuildingFloorRoom: '',
          City: 'Toronto',
          ZipCode: 'M5V 2T6',
          State: 'ON',
          Country: 'CA',
        },
        { AddressName: 'SHOPIFY-903', AddressType: 'bo_ShipTo', Street: 'New Rd 1', City: 'Boston', Country: 'US', State: 'MA' },
      ],
    });
  });

  test('same address name with the other type is a different address', () => {
    const existing = asRead();
    existing.BPAddresses = existing.BPAddresses!.filter((a) => a.AddressType !== 'bo_BillTo');
    const patch = diffBusinessPartner(existing, desired());
    assert.equal(patch?.BPAddresses?.length, 1);
    assert.equal(patch?.BPAddresses?.[0]?.AddressType, 'bo_BillTo');
    assert.equal(patch?.BPAddresses?.[0]?.RowNum, undefined);
  });
});
