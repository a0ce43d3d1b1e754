/** Builders for realistic Shopify/B1 records used by the mapping tests. */
import { parseMappingConfig, type MappingConfig, type MappingConfigInput } from '../../src/mapping/config';
import type { ShopifyCustomer, ShopifyLineItem, ShopifyMoneyBag, ShopifyOrder } from '../../src/mapping/types';

export function usd(amount: string): ShopifyMoneyBag {
  return { shopMoney: { amount, currencyCode: 'USD' }, presentmentMoney: { amount, currencyCode: 'USD' } };
}

export function baseConfigInput(): MappingConfigInput {
  return {
    customer: { cardCode: { mode: 'prefix', prefix: 'C' }, guestCardCode: 'SHOPGUEST', groupCode: 100, currency: '##' },
    product: { priceList: 1, shopCurrency: 'USD', weightUnits: { '3': 'KILOGRAMS', '4': 'POUNDS' }, defaultItemGroup: 105 },
    order: {
      timeZone: 'America/New_York',
      defaultWarehouse: '01',
      freightExpenseCode: 1,
      tax: { mode: 'taxCode', codeByRegion: { 'US-NY': 'NY', US: 'US' }, exemptTaxCode: 'EX' },
    },
    locations: [
      { locationId: 'gid://shopify/Location/10', warehouses: ['01', '02'], orderWarehouse: '01' },
      { locationId: 'gid://shopify/Location/20', warehouses: ['03'] },
    ],
  };
}

export function config(patch?: (c: MappingConfigInput) => void): MappingConfig {
  const c = baseConfigInput();
  patch?.(c);
  return parseMappingConfig(c);
}

export function customer(over: Partial<ShopifyCustomer> = {}): ShopifyCustomer {
  return {
    id: 'gid://shopify/Customer/7234567890123',
    firstName: 'Ada',
    lastName: 'Lovelace',
    defaultEmailAddress: { emailAddress: 'ada@example.com' },
    defaultPhoneNumber: { phoneNumber: '+14155550123' },
    defaultAddress: {
      id: 'gid://shopify/MailingAddress/901?model_name=CustomerAddress',
      address1: '1 Analytical Way',
      address2: 'Suite 2',
      city: 'New York',
      zip: '10001',
      provinceCode: 'NY',
      countryCodeV2: 'US',
      phone: '+12125550100',
    },
    addressesV2: [
      {
        id: 'gid://shopify/MailingAddress/901?model_name=CustomerAddress',
        address1: '1 Analytical Way',
        city: 'New York',
        zip: '10001',
        provinceCode: 'NY',
        countryCodeV2: 'US',
      },
      {
        id: 'gid://shopify/MailingAddress/902?model_name=CustomerAddress',
        address1: '5 Engine St',
        city: 'Toronto',
        zip: 'M5V 2T6',
        provinceCode: 'ON',
        countryCodeV2: 'CA',
      },
    ],
    ...over,
  };
}

export function line(over: Partial<ShopifyLineItem> = {}): ShopifyLineItem {
  return {
    id: 'gid://shopify/LineItem/1',
    sku: 'A100',
    name: 'Widget',
    quantity: 2,
    currentQuantity: 2,
    originalUnitPriceSet: usd('20.00'),
    discountedUnitPriceAfterAllDiscountsSet: usd('18.00'),
    taxLines: [{ title: 'NY State Tax', rate: 0.04, priceSet: usd('1.44') }],
    taxable: true,
    locationId: 'gid://shopify/Location/10',
    ...over,
  };
}

export function order(over: Partial<ShopifyOrder> = {}): ShopifyOrder {
  return {
    id: 'gid://shopify/Order/5',
    name: '#1001',
    processedAt: '2026-06-15T14:00:00Z',
    cancelledAt: null,
    test: false,
    displayFinancialStatus: 'PAID',
    currencyCode: 'USD',
    taxesIncluded: false,
    currentTotalTaxSet: usd('2.04'),
    customer: { id: 'gid://shopify/Customer/7234567890123' },
    shippingAddress: { address1: '1 Analytical Way', city: 'New York', zip: '10001', provinceCode: 'NY', countryCodeV2: 'US' },
    billingAddress: { address1: '9 Billing Rd', city: 'Albany', zip: '12207', provinceCode: 'NY', countryCodeV2: 'US' },
    lineItems: [line()],
    shippingLines: [{ title: 'Standard', currentDiscountedPriceSet: usd('7.50'), taxLines: [{ priceSet: usd('0.60') }] }],
    ...over,
  };
}
