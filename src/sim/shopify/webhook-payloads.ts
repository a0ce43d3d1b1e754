import { parseGid } from './ids';
import { orderTotals, type ShopState } from './state';
import { findFulfillment } from './fulfillment-state';

/**
 * REST-shaped webhook payloads (numeric ids, snake_case, admin_graphql_api_id), built from the
 * record as it is when the event fires: retries re-send these frozen bytes, as Shopify does.
 */
export function webhookPayload(s: ShopState, topic: string, gidValue: string): Record<string, unknown> | null {
  if (topic.startsWith('customers/')) {
    const c = s.customer(parseGid(gidValue, 'Customer') ?? -1);
    if (!c) return null;
    return {
      id: c.id,
      email: c.email,
      first_name: c.firstName,
      last_name: c.lastName,
      phone: c.phone,
      tags: c.tags.join(', '),
      state: c.state.toLowerCase(),
      created_at: c.createdAt,
      updated_at: c.updatedAt,
      addresses: c.addresses.map((a) => ({
        id: a.id,
        customer_id: c.id,
        address1: a.address1,
        city: a.city,
        zip: a.zip,
        country_code: a.countryCode,
        default: a.id === c.defaultAddressId,
      })),
      admin_graphql_api_id: gidValue,
    };
  }
  if (topic.startsWith('orders/')) {
    const o = s.order(parseGid(gidValue, 'Order') ?? -1);
    if (!o) return null;
    const t = orderTotals(o);
    return {
      id: o.id,
      name: o.name,
      order_number: o.number,
      email: o.email,
      created_at: o.createdAt,
      updated_at: o.updatedAt,
      cancelled_at: o.cancelledAt,
      cancel_reason: o.cancelReason?.toLowerCase() ?? null,
      financial_status: o.financialStatus.toLowerCase(),
      currency: o.currencyCode,
      total_price: t.original.total.toFixed(2),
      current_total_price: t.current.total.toFixed(2),
      customer: o.customerId != null ? { id: o.customerId, admin_graphql_api_id: `gid://shopify/Customer/${o.customerId}` } : null,
      line_items: o.lineItems.map((l) => ({
        id: l.id,
        sku: l.sku,
        quantity: l.quantity,
        current_quantity: l.currentQuantity,
        price: l.unitPrice,
        admin_graphql_api_id: `gid://shopify/LineItem/${l.id}`,
      })),
      admin_graphql_api_id: gidValue,
    };
  }
  if (topic === 'refunds/create') {
    const id = parseGid(gidValue, 'Refund');
    const o = Object.values(s.data.orders).find((x) => x.refunds.some((r) => r.id === id));
    const r = o?.refunds.find((x) => x.id === id);
    if (!o || !r) return null;
    return {
      id: r.id,
      order_id: o.id,
      created_at: r.createdAt,
      note: r.note,
      refund_line_items: r.lineItems.map((l) => ({
        line_item_id: l.lineItemId,
        quantity: l.quantity,
        // REST spells the GraphQL RestockType in lower case; older records know only restock or not.
        restock_type: (l.restockType ?? (l.restock ? 'RETURN' : 'NO_RESTOCK')).toLowerCase(),
      })),
      admin_graphql_api_id: gidValue,
    };
  }
  if (topic.startsWith('fulfillments/')) {
    const hit = findFulfillment(s, parseGid(gidValue, 'Fulfillment') ?? -1);
    if (!hit) return null;
    const { o, f } = hit;
    const lineOf = (id: number) => o.lineItems.find((l) => l.id === id);
    return {
      id: f.id,
      order_id: o.id,
      name: f.name,
      status: f.status.toLowerCase(),
      location_id: f.locationId,
      created_at: f.createdAt,
      updated_at: f.updatedAt,
      notify_customer: f.notifyCustomer,
      tracking_company: f.tracking[0]?.company ?? null,
      tracking_number: f.tracking[0]?.number ?? null,
      tracking_numbers: f.tracking.map((t) => t.number).filter((n) => n != null),
      tracking_url: f.tracking[0]?.url ?? null,
      tracking_urls: f.tracking.map((t) => t.url).filter((u) => u != null),
      line_items: f.lines.map((l) => ({
        id: l.lineItemId,
        sku: lineOf(l.lineItemId)?.sku ?? null,
        quantity: l.quantity,
        admin_graphql_api_id: `gid://shopify/LineItem/${l.lineItemId}`,
      })),
      admin_graphql_api_id: gidValue,
    };
  }
  if (topic.startsWith('products/')) {
    const p = s.product(parseGid(gidValue, 'Product') ?? -1);
    if (!p) return null;
    return {
      id: p.id,
      title: p.title,
      handle: p.handle,
      status: p.status.toLowerCase(),
      created_at: p.createdAt,
      updated_at: p.updatedAt,
      variants: p.variantIds.map((vid) => {
        const v = s.variant(vid);
        return {
          id: vid,
          sku: v?.sku ?? null,
          price: v?.price ?? null,
          inventory_item_id: v?.inventoryItemId ?? null,
          admin_graphql_api_id: `gid://shopify/ProductVariant/${vid}`,
        };
      }),
      admin_graphql_api_id: gidValue,
    };
  }
  if (topic === 'inventory_levels/update') {
    const m = /InventoryLevel\/(\d+)\?inventory_item_id=(\d+)&location_id=(\d+)/.exec(gidValue);
    if (!m) return null;
    const item = s.inventoryItem(Number(m[2]));
    const level = item?.levels[Number(m[3])];
    if (!item || !level) return null;
    return {
      inventory_item_id: item.id,
      location_id: Number(m[3]),
      available: level.quantities.available ?? 0,
      updated_at: level.updatedAt,
      admin_graphql_api_id: `gid://shopify/InventoryLevel/${m[3]}?inventory_item_id=${item.id}`,
    };
  }
  if (topic === 'bulk_operations/finish') {
    const b = s.data.bulkOperations[parseGid(gidValue, 'BulkOperation') ?? -1];
    if (!b) return null;
    return {
      admin_graphql_api_id: gidValue,
      completed_at: b.completedAt,
      created_at: b.createdAt,
      error_code: b.errorCode?.toLowerCase() ?? null,
      status: b.status.toLowerCase(),
      type: b.type.toLowerCase(),
    };
  }
  if (topic === 'app/uninstalled') {
    // The shop resource, as Shopify sends it when the app is removed.
    const domain = `${s.data.shopName}.myshopify.com`;
    return {
      id: 1,
      name: s.data.shopName,
      domain,
      myshopify_domain: domain,
      currency: s.data.currencyCode,
      updated_at: s.clock.nowIso(),
      admin_graphql_api_id: gidValue,
    };
  }
  return null;
}
