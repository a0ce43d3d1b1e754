import { ShopState, emptyShopData, money, type ShopData } from './state';
import { isoSeconds, type SimClock } from './clock';
import { mulberry32 } from '../shared/prng';

export interface ShopifySeedOptions {
  customers: number;
  orders: number;
  /** Location names; the defaults map to SAP B1 warehouses '01' and '02'. */
  locations?: string[];
  /** Item codes of the SAP demo company; order lines reference them as SKUs. */
  skus: string[];
  /** Create a product with one variant per SKU (as a shop that already sells them would have). Default true. */
  products?: boolean;
  /** PRNG seed; the same options always produce the same shop. */
  seed?: number;
  /** Add a few customers with deliberately bad data (missing names, malformed email, no address). */
  badCustomers?: number;
  /** Timestamp the generated history ends at; default 2026-11-01T00:00:00Z, so output is reproducible. */
  endAt?: string;
  /** Days of history to spread records over. Default 30. */
  days?: number;
  shopName?: string;
}

const FIRST = [
  'Anna',
  'Ben',
  'Clara',
  'David',
  'Eva',
  'Felix',
  'Greta',
  'Hannes',
  'Ida',
  'Jonas',
  'Lena',
  'Max',
  'Nora',
  'Oskar',
  'Paula',
  'Rafael',
  'Sofia',
  'Tim',
  'Ute',
  'Vera',
];
const LAST = [
  'Müller',
  'Schmidt',
  'Schneider',
  'Fischer',
  'Weber',
  'Meyer',
  'Wagner',
  'Becker',
  'Schulz',
  'Hoffmann',
  'Koch',
  'Richter',
  'Klein',
  'Wolf',
  'Neumann',
];
const CITIES: [string, string, string][] = [
  ['Berlin', '10115', 'DE'],
  ['Hamburg', '20095', 'DE'],
  ['München', '80331', 'DE'],
  ['Köln', '50667', 'DE'],
  ['Wien', '1010', 'AT'],
  ['Zürich', '8001', 'CH'],
];
const STREETS = ['Hauptstraße', 'Bahnhofstraße', 'Gartenweg', 'Lindenallee', 'Schillerstraße', 'Goethestraße'];

/**
 * A deterministic demo shop: locations, products for the given SKUs, customers (most with
 * addresses) and paid orders whose lines reference those SKUs. Returns plain shop data for
 * startShopifySimulator({ seed }) or a state file.
 */
export function generateShopifySeed(opts: ShopifySeedOptions): ShopData {
  const rnd = mulberry32(opts.seed ?? 42);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const endMs = Date.parse(opts.endAt ?? '2026-11-01T00:00:00Z');
  const spanMs = (opts.days ?? 30) * 86_400_000;
  let cursor = endMs - spanMs;
  const total = Math.max(1, opts.customers + opts.orders + opts.skus.length + (opts.badCustomers ?? 0));
  const step = Math.floor(spanMs / (total + 1));
  const clock: SimClock = { nowMs: () => cursor, nowIso: () => isoSeconds(cursor) };
  const state = new ShopState(emptyShopData(opts.shopName ?? 'b1hub-demo'), clock);
  const advance = () => {
    cursor += step;
  };

  const locationNames = opts.locations ?? ['Warehouse 01', 'Warehouse 02'];
  const locations = locationNames.map((name, i) => state.addLocation({ name, countryCode: 'DE', city: i === 0 ? 'Berlin' : 'Hamburg' }));

  if (opts.products ?? true) {
    // The shop starts empty, so handles are checked against this seed's own (state.uniqueHandle
    // scans every product: quadratic for a 100k-item benchmark seed).
    const handles = new Set<string>();
    const uniqueHandle = (base: string): string => {
      let h = base;
      for (let i = 1; handles.has(h); i++) h = `${base}-${i}`;
      handles.add(h);
      return h;
    };
    for (const sku of opts.skus) {
      advance();
      const productId = state.newId();
      const variantId = state.newId();
      const item = state.newInventoryItem(variantId, {
        tracked: true,
        weight: { unit: 'KILOGRAMS', value: Math.round(rnd() * 500) / 100 },
      });
      const now = state.now();
      state.data.products[productId] = {
        id: productId,
        title: `Item ${sku}`,
        handle: uniqueHandle(`item-${sku.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`),
        status: 'ACTIVE',
        vendor: state.data.shopName,
        productType: '',
        descriptionHtml: '',
        tags: [],
        options: [{ id: state.newId(), name: 'Title', values: ['Default Title'] }],
        variantIds: [variantId],
        createdAt: now,
        updatedAt: now,
      };
      state.data.variants[variantId] = {
        id: variantId,
        productId,
        title: 'Default Title',
        sku,
        barcode: null,
        price: money(5 + Math.floor(rnd() * 200) + 0.99),
        compareAtPrice: null,
        taxable: true,
        inventoryPolicy: 'DENY',
        position: 1,
        selectedOptions: [{ name: 'Title', value: 'Default Title' }],
        inventoryItemId: item.id,
        createdAt: now,
        updatedAt: now,
      };
      for (const l of locations) state.activate(item, l.id, 20 + Math.floor(rnd() * 200));
    }
  }

  const customers = [];
  for (let i = 0; i < opts.customers; i++) {
    advance();
    const first = pick(FIRST);
    const last = pick(LAST);
    const [city, zip, country] = pick(CITIES);
    const withAddress = rnd() < 0.85;
    customers.push(
      state.createCustomer({
        firstName: first,
        lastName: last,
        email: `${first}.${last}.${i + 1}@example.com`
          .toLowerCase()
          .normalize('NFKD')
          .replace(/[\u0300-\u036f]/g, ''),
        phone: rnd() < 0.5 ? `+4915${String(10000000 + Math.floor(rnd() * 89999999))}` : null,
        tags: rnd() < 0.2 ? ['vip'] : [],
        emailMarketingState: rnd() < 0.3 ? 'SUBSCRIBED' : 'NOT_SUBSCRIBED',
        addresses: withAddress
          ? [
              {
                firstName: first,
                lastName: last,
                address1: `${pick(STREETS)} ${1 + Math.floor(rnd() * 120)}`,
                city,
                zip,
                countryCode: country,
              },
            ]
          : [],
      }),
    );
  }
  for (let i = 0; i < (opts.badCustomers ?? 0); i++) {
    advance();
    const kind = i % 3;
    customers.push(
      state.createCustomer(
        kind === 0
          ? { email: `no-name-${i}@example.com` }
          : kind === 1
            ? { firstName: 'Broken', lastName: `Email ${i}`, email: `broken-${i}@@example` }
            : {
                firstName: '',
                lastName: `Xy${'z'.repeat(120)}`,
                phone: `+49301234${String(i).padStart(3, '0')}`,
                addresses: [{ address1: null, city: null, countryCode: 'ZZ' }],
              },
      ),
    );
  }

  // Index once: large benchmark seeds would otherwise scan every variant per order line.
  const bySku = new Map(Object.values(state.data.variants).map((v) => [v.sku, v]));
  for (let i = 0; i < opts.orders && opts.skus.length > 0; i++) {
    advance();
    const customer = customers.length && rnd() < 0.9 ? pick(customers) : null;
    const lineCount = 1 + Math.floor(rnd() * 4);
    const skus = new Set<string>();
    while (skus.size < Math.min(lineCount, opts.skus.length)) skus.add(pick(opts.skus));
    const discounted = rnd() < 0.2;
    state.createOrder({
      customerId: customer?.id ?? null,
      email: customer ? undefined : `guest-${i}@example.com`,
      lines: [...skus].map((sku) => {
        const quantity = 1 + Math.floor(rnd() * 3);
        const variant = bySku.get(sku);
        const price = variant ? Number(variant.price) : 10 + Math.floor(rnd() * 90);
        return {
          sku,
          variantId: variant?.id,
          quantity,
          unitPrice: money(price),
          discount: discounted ? money(price * quantity * 0.1) : '0.00',
          locationId: pick(locations).id,
        };
      }),
      shipping: [{ title: rnd() < 0.7 ? 'Standard' : 'Express', price: rnd() < 0.3 ? '0.00' : '4.90' }],
      discountCodes: discounted ? ['WELCOME10'] : [],
      // A few other ways to pay, by position so the random stream (and the rest of the seed) stays as it was.
      payments:
        i % 5 === 3
          ? [{ gateway: 'paypal' }]
          : i % 7 === 5
            ? [{ gateway: 'gift_card', amount: '5.00' }, { gateway: 'shopify_payments' }]
            : undefined,
      taxesIncluded: true,
      taxRate: 0.19,
    });
  }
  return state.data;
}
