import { gid, parseGid } from './ids';
import {
  handleize,
  money,
  type InventoryChangeRec,
  type InventoryItemRec,
  type ProductRec,
  type ShopState,
  type VariantRec,
  type CustomerRec,
} from './state';
import { EMAIL_RE } from './views';
import { digest } from './views';

/** A Shopify userError: business failures come back in the payload, never as exceptions. */
export interface UserErr {
  field: string[] | null;
  message: string;
  code?: string | null;
  elementIndex?: number | null;
}

// ---------------------------------------------------------------------------
// productSet
// ---------------------------------------------------------------------------

export interface ProductSetArgs {
  identifier?: {
    id?: string | null;
    handle?: string | null;
    customId?: { namespace?: string | null; key: string; value: string } | null;
  } | null;
  input: ProductSetInputArg;
  synchronous?: boolean | null;
}

interface MetafieldInputArg {
  namespace?: string | null;
  key?: string | null;
  type?: string | null;
  value?: string | null;
  id?: string | null;
}

interface VariantSetInputArg {
  id?: string | null;
  optionValues: { optionName?: string | null; name?: string | null; optionId?: string | null; id?: string | null }[];
  sku?: string | null;
  barcode?: string | null;
  price?: string | null;
  compareAtPrice?: string | null;
  taxable?: boolean | null;
  inventoryPolicy?: 'DENY' | 'CONTINUE' | null;
  position?: number | null;
  inventoryItem?: {
    sku?: string | null;
    tracked?: boolean | null;
    requiresShipping?: boolean | null;
    cost?: string | null;
    measurement?: { weight?: { unit: 'GRAMS' | 'KILOGRAMS' | 'OUNCES' | 'POUNDS'; value: number } | null } | null;
  } | null;
  inventoryQuantities?: { locationId: string; name: string; quantity: number }[] | null;
  metafields?: MetafieldInputArg[] | null;
}

export interface ProductSetInputArg {
  id?: string | null;
  title?: string | null;
  handle?: string | null;
  descriptionHtml?: string | null;
  vendor?: string | null;
  productType?: string | null;
  status?: ProductRec['status'] | null;
  tags?: string[] | null;
  productOptions?: { name?: string | null; position?: number | null; values?: { name?: string | null }[] | null }[] | null;
  variants?: VariantSetInputArg[] | null;
  metafields?: MetafieldInputArg[] | null;
  files?: unknown[] | null;
}

export const SYNC_VARIANT_LIMIT = 100;
export const ASYNC_VARIANT_LIMIT = 2048;

/**
 * productSet as a desired-state upsert: scalars omitted are left alone, list fields given are
 * full replacements (variants missing from the input are deleted), the identifier decides
 * between update and create. Validation happens before any write, so a failed call changes nothing.
 */
export function productSet(
  state: ShopState,
  args: ProductSetArgs,
  appNamespace: string,
): { product: ProductRec | null; userErrors: UserErr[] } {
  const input = args.input;
  const errors: UserErr[] = [];
  const ident = args.identifier ?? null;
  let existing: ProductRec | undefined;
  let customId: { namespace: string; key: string; value: string } | null = null;

  if (ident?.id || input.id) {
    const id = parseGid(ident?.id ?? input.id, 'Product');
    existing = id != null ? state.product(id) : undefined;
    if (!existing)
      return {
        product: null,
        userErrors: [
          { field: ident?.id ? ['identifier', 'id'] : ['input', 'id'], message: 'Product does not exist', code: 'PRODUCT_DOES_NOT_EXIST' },
        ],
      };
  } else if (ident?.handle) {
    existing = Object.values(state.data.products).find((p) => p.handle === ident.handle);
  } else if (ident?.customId) {
    const ns = ident.customId.namespace ?? appNamespace;
    const def = state.definitionFor('PRODUCT', ns, ident.customId.key);
    if (!def || def.type !== 'id') {
      return {
        product: null,
        userErrors: [
          {
            field: ['identifier', 'customId'],
            message: `Metafield definition of type 'id' is required when using custom ids (${ns}.${ident.customId.key}).`,
            code: 'NOT_FOUND',
          },
        ],
      };
    }
    customId = { namespace: ns, key: ident.customId.key, value: ident.customId.value };
    const owner = state.ownerByCustomId('PRODUCT', ns, ident.customId.key, ident.customId.value);
    existing = owner ? state.product(parseGid(owner, 'Product') ?? -1) : undefined;
    const clash = (input.metafields ?? []).find(
      (m) => (m.namespace ?? appNamespace) === ns && m.key === ident.customId?.key && m.value !== ident.customId?.value,
    );
    if (clash)
      errors.push({
        field: ['input', 'metafields'],
        message: 'The identifier value does not match the value of the corresponding field in the input.',
        code: 'INPUT_MISMATCH',
      });
  }

  const creating = !existing;
  if (creating && !input.title?.trim()) errors.push({ field: ['input', 'title'], message: "Title can't be blank", code: 'INVALID_INPUT' });
  if (input.title != null && !input.title.trim())
    errors.push({ field: ['input', 'title'], message: "Title can't be blank", code: 'INVALID_INPUT' });
  if (input.handle) {
    const taken = Object.values(state.data.products).find((p) => p.handle === input.handle && p.id !== existing?.id);
    if (taken)
      errors.push({
        field: ['input', 'handle'],
        message: `Handle '${input.handle}' already in use. Please provide a new handle.`,
        code: 'HANDLE_NOT_UNIQUE',
      });
  }
  const variants = input.variants ?? null;
  const limit = args.synchronous === false ? ASYNC_VARIANT_LIMIT : SYNC_VARIANT_LIMIT;
  if (variants && variants.length > limit)
    errors.push({
      field: ['input', 'variants'],
      message: `Exceeded the maximum of ${limit} variants for ${args.synchronous === false ? 'asynchronous' : 'synchronous'} productSet.`,
      code: 'VARIANTS_OVER_LIMIT',
    });

  // Options: given options replace; otherwise existing ones (or the implicit Title option) stay.
  let options: { name: string; values: string[] }[] | null = null;
  if (input.productOptions) {
    options = input.productOptions.map((o) => ({ name: o.name ?? '', values: (o.values ?? []).map((v) => v.name ?? '') }));
    if (options.length > 3)
      errors.push({ field: ['input', 'productOptions'], message: 'Can only specify a maximum of 3 options', code: 'OPTIONS_OVER_LIMIT' });
    const names = new Set<string>();
    options.forEach((o, i) => {
      if (names.has(o.name))
        errors.push({
          field: ['input', 'productOptions', String(i), 'name'],
          message: `Duplicated option name '${o.name}'`,
          code: 'DUPLICATED_OPTION_NAME',
        });
      names.add(o.name);
    });
  } else if (creating && variants && variants.length > 0) {
    errors.push({
      field: ['input', 'productOptions'],
      message: 'Product options input is required when updating variants.',
      code: 'PRODUCT_OPTIONS_INPUT_MISSING',
    });
  }
  const effectiveOptions = options ??
    existing?.options.map((o) => ({ name: o.name, values: [...o.values] })) ?? [{ name: 'Title', values: ['Default Title'] }];

  // Variants: match existing ones by id, else by option values; everything else is new.
  const plan: { input: VariantSetInputArg; existing: VariantRec | undefined; selected: { name: string; value: string }[] }[] = [];
  if (variants) {
    const seenCombos = new Set<string>();
    variants.forEach((v, i) => {
      const selected = v.optionValues.map((ov) => ({ name: ov.optionName ?? '', value: ov.name ?? '' }));
      for (const [j, s] of selected.entries()) {
        const opt = effectiveOptions.find((o) => o.name === s.name);
        if (!opt)
          errors.push({
            field: ['input', 'variants', String(i), 'optionValues', String(j), 'optionName'],
            message: `Option '${s.name}' does not exist`,
            code: 'OPTION_DOES_NOT_EXIST',
          });
        else if (!opt.values.includes(s.value)) {
          if (options)
            errors.push({
              field: ['input', 'variants', String(i), 'optionValues', String(j), 'name'],
              message: `Option value '${s.value}' does not exist for option '${s.name}'`,
              code: 'OPTION_VALUE_DOES_NOT_EXIST',
            });
          else opt.values.push(s.value);
        }
      }
      if (selected.length !== effectiveOptions.length)
        errors.push({
          field: ['input', 'variants', String(i), 'optionValues'],
          message: 'Variant must have one value for each product option.',
          code: 'OPTION_VALUES_MISSING',
        });
      const combo = JSON.stringify(selected.map((s) => [s.name, s.value]).sort());
      if (seenCombos.has(combo))
        errors.push({
          field: ['input', 'variants', String(i)],
          message: `The variant '${selected.map((s) => s.value).join(' / ')}' already exists.`,
          code: 'DUPLICATED_VALUE',
        });
      seenCombos.add(combo);
      let match: VariantRec | undefined;
      if (v.id) {
        const vid = parseGid(v.id, 'ProductVariant');
        match = vid != null ? state.variant(vid) : undefined;
        if (!match || match.productId !== existing?.id)
          errors.push({
            field: ['input', 'variants', String(i), 'id'],
            message: 'Product variant does not exist',
            code: 'PRODUCT_VARIANT_DOES_NOT_EXIST',
          });
      } else if (existing) {
        match = existing.variantIds
          .map((id) => state.variant(id))
          .find(
            (ev) =>
              ev &&
              JSON.stringify(ev.selectedOptions.map((s) => [s.name, s.value]).sort()) === combo &&
              !plan.some((p) => p.existing?.id === ev.id),
          );
      }
      if (v.price != null && Number(v.price) < 0)
        errors.push({
          field: ['input', 'variants', String(i), 'price'],
          message: 'Price must be greater than or equal to 0',
          code: 'INVALID_VARIANT',
        });
      for (const [j, q] of (v.inventoryQuantities ?? []).entries()) {
        const locId = parseGid(q.locationId, 'Location');
        if (locId == null || !state.location(locId))
          errors.push({
            field: ['input', 'variants', String(i), 'inventoryQuantities', String(j), 'locationId'],
            message: 'Location does not exist',
            code: 'INVALID_INPUT',
          });
        if (q.name !== 'available' && q.name !== 'on_hand')
          errors.push({
            field: ['input', 'variants', String(i), 'inventoryQuantities', String(j), 'name'],
            message: 'Name must be one of available, on_hand',
            code: 'INVALID_INPUT',
          });
        if (match && locId != null && !state.inventoryItem(match.inventoryItemId)?.levels[locId]) {
          errors.push({
            field: ['input', 'variants', String(i), 'inventoryQuantities', String(j), 'locationId'],
            message: 'Quantities can only be set at locations where the variant is already stocked.',
            code: 'INVALID_INPUT',
          });
        }
      }
      plan.push({ input: v, existing: match, selected });
    });
  }
  const productGidForMf = existing ? gid('Product', existing.id) : null;
  for (const [i, m] of (input.metafields ?? []).entries()) {
    if (!m.key || m.value == null) {
      errors.push({
        field: ['input', 'metafields', String(i)],
        message: 'Metafield key and value are required.',
        code: 'INVALID_METAFIELD',
      });
      continue;
    }
    const ns = m.namespace ?? appNamespace;
    const def = state.definitionFor('PRODUCT', ns, m.key);
    if (def?.type === 'id') {
      const owner = state.ownerByCustomId('PRODUCT', ns, m.key, m.value);
      if (owner && owner !== productGidForMf)
        errors.push({
          field: ['input', 'metafields', String(i), 'value'],
          message: 'Value is already taken by another product.',
          code: 'DUPLICATED_METAFIELD_VALUE',
        });
    }
  }
  if (errors.length) return { product: null, userErrors: errors };

  // ---- apply ----
  const now = state.now();
  let p = existing;
  if (!p) {
    p = {
      id: state.newId(),
      title: (input.title ?? '').trim(),
      handle: state.uniqueHandle(input.handle ?? ident?.handle ?? handleize(input.title ?? '')),
      status: input.status ?? 'ACTIVE',
      vendor: input.vendor ?? state.data.shopName,
      productType: input.productType ?? '',
      descriptionHtml: input.descriptionHtml ?? '',
      tags: input.tags ?? [],
      options: [],
      variantIds: [],
      createdAt: now,
      updatedAt: now,
    };
    state.data.products[p.id] = p;
  } else {
    if (input.title != null) p.title = input.title.trim();
    if (input.handle != null) p.handle = input.handle;
    if (input.status != null) p.status = input.status;
    if (input.vendor != null) p.vendor = input.vendor;
    if (input.productType != null) p.productType = input.productType;
    if (input.descriptionHtml != null) p.descriptionHtml = input.descriptionHtml;
    if (input.tags != null) p.tags = input.tags;
  }
  const product = p;
  product.options = effectiveOptions.map((o, i) => ({ id: product.options[i]?.id ?? state.newId(), name: o.name, values: o.values }));
  if (variants || product.variantIds.length === 0) {
    const wanted = variants ?? [{ optionValues: [{ optionName: 'Title', name: 'Default Title' }] }];
    const plans = variants
      ? plan
      : [{ input: wanted[0] as VariantSetInputArg, existing: undefined, selected: [{ name: 'Title', value: 'Default Title' }] }];
    const keep = new Set(plans.map((x) => x.existing?.id).filter((x): x is number => x != null));
    for (const vid of product.variantIds) {
      const v = state.variant(vid);
      if (v && !keep.has(vid)) state.deleteVariant(v);
    }
    product.variantIds = plans.map((x, i) => applyVariant(state, product, x.existing, x.input, x.selected, i + 1, appNamespace).id);
  }
  if (input.metafields) {
    // Full replacement applies to the metafields this app writes through productSet.
    const keepKeys = new Set(input.metafields.map((m) => `${m.namespace ?? appNamespace}.${m.key}`));
    for (const m of state.metafieldsOf(gid('Product', product.id)))
      if (!keepKeys.has(`${m.namespace}.${m.key}`) && m.namespace === appNamespace) delete state.data.metafields[m.id];
    for (const m of input.metafields)
      state.setMetafield(gid('Product', product.id), m.namespace ?? appNamespace, m.key as string, m.type, m.value as string);
  }
  if (customId && !state.findMetafield(gid('Product', product.id), customId.namespace, customId.key)) {
    state.setMetafield(gid('Product', product.id), customId.namespace, customId.key, 'id', customId.value);
  }
  product.updatedAt = state.now();
  state.emit(creating ? 'products/create' : 'products/update', gid('Product', product.id));
  return { product, userErrors: [] };
}

function applyVariant(
  state: ShopState,
  p: ProductRec,
  existing: VariantRec | undefined,
  v: VariantSetInputArg,
  selected: { name: string; value: string }[],
  position: number,
  appNs: string,
): VariantRec {
  const now = state.now();
  const title = selected.map((s) => s.value).join(' / ') || 'Default Title';
  let rec = existing;
  const sku = v.sku ?? v.inventoryItem?.sku;
  if (!rec) {
    const id = state.newId();
    const item = state.newInventoryItem(id, {
      tracked: v.inventoryItem?.tracked ?? true,
      requiresShipping: v.inventoryItem?.requiresShipping ?? true,
      weight: v.inventoryItem?.measurement?.weight ?? null,
      cost: v.inventoryItem?.cost != null ? money(Number(v.inventoryItem.cost)) : null,
    });
    rec = {
      id,
      productId: p.id,
      title,
      sku: sku ?? null,
      barcode: v.barcode ?? null,
      price: money(Number(v.price ?? 0)),
      compareAtPrice: v.compareAtPrice != null ? money(Number(v.compareAtPrice)) : null,
      taxable: v.taxable ?? true,
      inventoryPolicy: v.inventoryPolicy ?? 'DENY',
      position: v.position ?? position,
      selectedOptions: selected,
      inventoryItemId: item.id,
      createdAt: now,
      updatedAt: now,
    };
    state.data.variants[rec.id] = rec;
  } else {
    rec.title = title;
    rec.selectedOptions = selected;
    if (sku !== undefined) rec.sku = sku;
    if (v.barcode !== undefined) rec.barcode = v.barcode;
    if (v.price != null) rec.price = money(Number(v.price));
    if (v.compareAtPrice !== undefined) rec.compareAtPrice = v.compareAtPrice != null ? money(Number(v.compareAtPrice)) : null;
    if (v.taxable != null) rec.taxable = v.taxable;
    if (v.inventoryPolicy != null) rec.inventoryPolicy = v.inventoryPolicy;
    rec.position = v.position ?? position;
    const item = state.inventoryItem(rec.inventoryItemId);
    if (item && v.inventoryItem) {
      if (v.inventoryItem.tracked != null) item.tracked = v.inventoryItem.tracked;
      if (v.inventoryItem.requiresShipping != null) item.requiresShipping = v.inventoryItem.requiresShipping;
      if (v.inventoryItem.measurement?.weight) item.weight = v.inventoryItem.measurement.weight;
      if (v.inventoryItem.cost !== undefined) item.cost = v.inventoryItem.cost != null ? money(Number(v.inventoryItem.cost)) : null;
      item.updatedAt = now;
    }
    rec.updatedAt = now;
  }
  const item = state.inventoryItem(rec.inventoryItemId) as InventoryItemRec;
  for (const q of v.inventoryQuantities ?? []) {
    const locId = parseGid(q.locationId, 'Location') as number;
    if (!item.levels[locId]) state.activate(item, locId);
    state.setQuantity(item, locId, q.name as 'available' | 'on_hand', q.quantity);
  }
  if (v.metafields)
    for (const m of v.metafields)
      if (m.key && m.value != null) state.setMetafield(gid('ProductVariant', rec.id), m.namespace ?? appNs, m.key, m.type, m.value);
  return rec;
}

// ---------------------------------------------------------------------------
// inventory
// ---------------------------------------------------------------------------

export const INVENTORY_REASONS = [
  'correction',
  'cycle_count_available',
  'damaged',
  'movement_created',
  'movement_updated',
  'movement_received',
  'movement_canceled',
  'other',
  'promotion',
  'quality_control',
  'received',
  'reservation_created',
  'reservation_deleted',
  'reservation_updated',
  'restock',
  'safety_stock',
  'shrinkage',
];

export interface SetQuantitiesInput {
  name: string;
  reason: string;
  referenceDocumentUri?: string | null;
  ignoreCompareQuantity?: boolean | null;
  quantities: {
    inventoryItemId: string;
    locationId: string;
    quantity: number;
    changeFromQuantity?: number | null;
    compareQuantity?: number | null;
  }[];
}

const MAX_QUANTITY = 1_000_000_000;

/** ≥2026-04 semantics: changeFromQuantity present on every row (null skips the check), atomic. */
export function inventorySetQuantities(
  state: ShopState,
  input: SetQuantitiesInput,
  version: string,
): {
  group: { id: number; createdAt: string; reason: string; referenceDocumentUri: string | null; changes: InventoryChangeRec[] } | null;
  userErrors: UserErr[];
} {
  const errors: UserErr[] = [];
  if (input.name !== 'available' && input.name !== 'on_hand')
    errors.push({ field: ['input', 'name'], message: "The quantity name must be either 'available' or 'on_hand'.", code: 'INVALID_NAME' });
  if (!INVENTORY_REASONS.includes(input.reason))
    errors.push({ field: ['input', 'reason'], message: 'The specified reason is invalid.', code: 'INVALID_REASON' });
  if (input.referenceDocumentUri != null && !/^[a-z][a-z0-9+.-]*:\/\/?\S+$/i.test(input.referenceDocumentUri)) {
    errors.push({
      field: ['input', 'referenceDocumentUri'],
      message: 'The specified reference document is invalid.',
      code: 'INVALID_REFERENCE_DOCUMENT',
    });
  }
  const casRequired = version >= '2026-04';
  const seen = new Set<string>();
  const rows: { item: InventoryItemRec; locationId: number; quantity: number }[] = [];
  input.quantities.forEach((q, i) => {
    const f = (name: string) => ['input', 'quantities', String(i), name];
    const itemId = parseGid(q.inventoryItemId, 'InventoryItem');
    const item = itemId != null ? state.inventoryItem(itemId) : undefined;
    const locId = parseGid(q.locationId, 'Location');
    const loc = locId != null ? state.location(locId) : undefined;
    if (!item)
      return void errors.push({
        field: f('inventoryItemId'),
        message: 'The specified inventory item could not be found.',
        code: 'INVALID_INVENTORY_ITEM',
      });
    if (!loc || locId == null)
      return void errors.push({ field: f('locationId'), message: 'The specified location could not be found.', code: 'INVALID_LOCATION' });
    const pair = `${item.id}/${locId}`;
    if (seen.has(pair))
      return void errors.push({
        field: f('inventoryItemId'),
        message: 'The combination of inventoryItemId and locationId must be unique.',
        code: 'NO_DUPLICATE_INVENTORY_ITEM_ID_GROUP_ID_PAIR',
      });
    seen.add(pair);
    if (!item.levels[locId])
      return void errors.push({
        field: f('locationId'),
        message: 'The specified inventory item is not stocked at the location.',
        code: 'ITEM_NOT_STOCKED_AT_LOCATION',
      });
    if (q.quantity > MAX_QUANTITY)
      return void errors.push({
        field: f('quantity'),
        message: `The quantity can't be higher than ${MAX_QUANTITY}.`,
        code: 'INVALID_QUANTITY_TOO_HIGH',
      });
    if (q.quantity < -MAX_QUANTITY)
      return void errors.push({
        field: f('quantity'),
        message: `The quantity can't be lower than -${MAX_QUANTITY}.`,
        code: 'INVALID_QUANTITY_TOO_LOW',
      });
    if (input.name === 'on_hand' && q.quantity < 0)
      return void errors.push({ field: f('quantity'), message: "The quantity can't be negative.", code: 'INVALID_QUANTITY_NEGATIVE' });
    const hasChangeFrom = Object.prototype.hasOwnProperty.call(q, 'changeFromQuantity');
    const current = item.levels[locId]?.quantities[input.name] ?? 0;
    if (hasChangeFrom) {
      if (q.changeFromQuantity != null && q.changeFromQuantity !== current) {
        return void errors.push({
          field: f('changeFromQuantity'),
          message: `The specified changeFromQuantity (${q.changeFromQuantity}) does not match the current quantity (${current}).`,
          code: 'CHANGE_FROM_QUANTITY_STALE',
        });
      }
    } else if (casRequired) {
      return void errors.push({
        field: f('changeFromQuantity'),
        message: 'The changeFromQuantity argument must be provided (use null to skip the compare-and-swap check).',
        code: 'COMPARE_QUANTITY_REQUIRED',
      });
    } else if (q.compareQuantity != null && q.compareQuantity !== current) {
      return void errors.push({
        field: f('compareQuantity'),
        message: 'The compareQuantity argument no longer matches the persisted quantity.',
        code: 'COMPARE_QUANTITY_STALE',
      });
    }
    rows.push({ item, locationId: locId, quantity: q.quantity });
  });
  if (errors.length) return { group: null, userErrors: errors };
  const changes: InventoryChangeRec[] = [];
  for (const r of rows) {
    const delta = state.setQuantity(r.item, r.locationId, input.name as 'available' | 'on_hand', r.quantity);
    const level = r.item.levels[r.locationId];
    const other = input.name === 'available' ? 'on_hand' : 'available';
    changes.push({
      name: input.name,
      delta,
      quantityAfterChange: r.quantity,
      inventoryItemId: r.item.id,
      locationId: r.locationId,
      ledgerDocumentUri: null,
    });
    changes.push({
      name: other,
      delta,
      quantityAfterChange: level?.quantities[other] ?? null,
      inventoryItemId: r.item.id,
      locationId: r.locationId,
      ledgerDocumentUri: null,
    });
  }
  const group = {
    id: state.newId(),
    createdAt: state.now(),
    reason: input.reason,
    referenceDocumentUri: input.referenceDocumentUri ?? null,
    changes,
  };
  state.data.adjustmentGroups[group.id] = group;
  return { group, userErrors: [] };
}

// ---------------------------------------------------------------------------
// metafields
// ---------------------------------------------------------------------------

export const MAX_METAFIELDS_PER_SET = 25;

export interface MetafieldsSetArg {
  ownerId: string;
  namespace?: string | null;
  key: string;
  type?: string | null;
  value: string;
  compareDigest?: string | null;
}

/** Atomic: nothing is saved when any entry fails. */
export function metafieldsSet(
  state: ShopState,
  list: MetafieldsSetArg[],
  appNs: string,
): { saved: number[] | null; userErrors: UserErr[] } {
  if (list.length > MAX_METAFIELDS_PER_SET) {
    return {
      saved: null,
      userErrors: [
        {
          field: ['metafields'],
          message: `Exceeded the maximum metafields input limit of ${MAX_METAFIELDS_PER_SET}.`,
          code: 'LESS_THAN_OR_EQUAL_TO',
          elementIndex: null,
        },
      ],
    };
  }
  const errors: UserErr[] = [];
  list.forEach((m, i) => {
    const ns = m.namespace ?? appNs;
    const err = state.checkMetafield(m.ownerId, ns, m.key, m.type, m.value);
    if (err)
      errors.push({
        field: [
          'metafields',
          String(i),
          err.code === 'TAKEN' ? 'value' : err.code === 'INVALID_TYPE' || err.code === 'BLANK' ? 'type' : 'ownerId',
        ],
        message: err.message,
        code: err.code,
        elementIndex: i,
      });
    if (Object.prototype.hasOwnProperty.call(m, 'compareDigest')) {
      const cur = state.findMetafield(m.ownerId, ns, m.key);
      const ok = m.compareDigest == null ? !cur : cur != null && digest(cur.value) === m.compareDigest;
      if (!ok)
        errors.push({
          field: ['metafields', String(i), 'compareDigest'],
          message: 'The resource has been updated since it was loaded. Try again with an updated `compareDigest` value.',
          code: 'STALE_OBJECT',
          elementIndex: i,
        });
    }
    const dup = list.findIndex((o, j) => j < i && o.ownerId === m.ownerId && (o.namespace ?? appNs) === ns && o.key === m.key);
    if (dup >= 0)
      errors.push({
        field: ['metafields', String(i), 'key'],
        message: 'The same metafield is specified more than once.',
        code: 'INVALID',
        elementIndex: i,
      });
  });
  if (errors.length) return { saved: null, userErrors: errors };
  const saved = list.map((m) => state.setMetafield(m.ownerId, m.namespace ?? appNs, m.key, m.type, m.value).id);
  return { saved, userErrors: [] };
}

export const METAFIELD_TYPES = [
  'id',
  'single_line_text_field',
  'multi_line_text_field',
  'number_integer',
  'number_decimal',
  'boolean',
  'json',
  'date',
  'date_time',
  'url',
  'color',
  'weight',
  'money',
  'list.single_line_text_field',
  'product_reference',
  'variant_reference',
  'customer_reference',
];

export function metafieldDefinitionCreate(
  state: ShopState,
  def: { name: string; namespace?: string | null; key: string; type: string; ownerType: string; description?: string | null },
  appNs: string,
): { id: number | null; userErrors: UserErr[] } {
  const ns = def.namespace ?? appNs;
  const errors: UserErr[] = [];
  if (!def.name.trim()) errors.push({ field: ['definition', 'name'], message: "Name can't be blank", code: 'BLANK' });
  if (def.key.length < 2 || def.key.length > 64)
    errors.push({
      field: ['definition', 'key'],
      message: 'Key is too short or too long (2-64 characters).',
      code: def.key.length < 2 ? 'TOO_SHORT' : 'TOO_LONG',
    });
  else if (!/^[A-Za-z0-9_-]+$/.test(def.key))
    errors.push({ field: ['definition', 'key'], message: 'Key contains one or more invalid characters.', code: 'INVALID_CHARACTER' });
  if (ns.length < 3 || ns.length > 255)
    errors.push({
      field: ['definition', 'namespace'],
      message: 'Namespace is too short or too long (3-255 characters).',
      code: ns.length < 3 ? 'TOO_SHORT' : 'TOO_LONG',
    });
  if (!METAFIELD_TYPES.includes(def.type))
    errors.push({ field: ['definition', 'type'], message: `Type name ${def.type} is not a valid type.`, code: 'INCLUSION' });
  if (!['PRODUCT', 'PRODUCTVARIANT', 'CUSTOMER', 'ORDER', 'LOCATION'].includes(def.ownerType))
    errors.push({
      field: ['definition', 'ownerType'],
      message: `Owner type ${def.ownerType} is not supported by the simulator.`,
      code: 'INCLUSION',
    });
  if (state.definitionFor(def.ownerType, ns, def.key)) {
    errors.push({
      field: ['definition', 'key'],
      message: `Key is in use for ${def.ownerType.toLowerCase()} metafields on the '${ns}' namespace.`,
      code: 'TAKEN',
    });
  }
  if (errors.length) return { id: null, userErrors: errors };
  const id = state.newId();
  state.data.metafieldDefinitions[id] = {
    id,
    name: def.name,
    namespace: ns,
    key: def.key,
    type: def.type,
    ownerType: def.ownerType,
    description: def.description ?? null,
  };
  return { id, userErrors: [] };
}

// ---------------------------------------------------------------------------
// customers
// ---------------------------------------------------------------------------

export interface CustomerInputArg {
  id?: string | null;
  firstName?: string | null;
  lastName?: string | null;
  email?: string | null;
  phone?: string | null;
  note?: string | null;
  tags?: string[] | null;
  taxExempt?: boolean | null;
  locale?: string | null;
  addresses?:
    | {
        address1?: string | null;
        address2?: string | null;
        city?: string | null;
        company?: string | null;
        countryCode?: string | null;
        provinceCode?: string | null;
        zip?: string | null;
        firstName?: string | null;
        lastName?: string | null;
        phone?: string | null;
      }[]
    | null;
  metafields?: MetafieldInputArg[] | null;
}

const PHONE_RE = /^\+[1-9]\d{6,14}$/;

export function customerUpsert(
  state: ShopState,
  input: CustomerInputArg,
  mode: 'create' | 'update',
  appNs: string,
): { customer: CustomerRec | null; userErrors: UserErr[] } {
  const errors: UserErr[] = [];
  let existing: CustomerRec | undefined;
  if (mode === 'update') {
    const id = parseGid(input.id, 'Customer');
    existing = id != null ? state.customer(id) : undefined;
    if (!existing) return { customer: null, userErrors: [{ field: ['id'], message: 'Customer does not exist' }] };
  } else if (input.id) {
    return { customer: null, userErrors: [{ field: ['id'], message: 'Cannot specify ID on creation' }] };
  }
  const email = input.email === undefined ? (existing?.email ?? null) : input.email;
  const phone = input.phone === undefined ? (existing?.phone ?? null) : input.phone;
  if (input.email != null && !EMAIL_RE.test(input.email)) errors.push({ field: ['email'], message: 'Email is invalid' });
  else if (input.email && state.emailTaken(input.email, existing?.id))
    errors.push({ field: ['email'], message: 'Email has already been taken' });
  if (input.phone != null && !PHONE_RE.test(input.phone)) errors.push({ field: ['phone'], message: 'Phone is invalid' });
  else if (input.phone && Object.values(state.data.customers).some((c) => c.id !== existing?.id && c.phone === input.phone))
    errors.push({ field: ['phone'], message: 'Phone has already been taken' });
  const first = input.firstName === undefined ? existing?.firstName : input.firstName;
  const last = input.lastName === undefined ? existing?.lastName : input.lastName;
  if (!email && !phone && !first && !last) errors.push({ field: null, message: 'A name, phone number, or email address must be present' });
  for (const [i, m] of (input.metafields ?? []).entries()) {
    if (!m.key || m.value == null) continue;
    const owner = existing ? gid('Customer', existing.id) : null;
    const ns = m.namespace ?? appNs;
    const def = state.definitionFor('CUSTOMER', ns, m.key);
    if (def?.type === 'id') {
      const other = state.ownerByCustomId('CUSTOMER', ns, m.key, m.value);
      if (other && other !== owner)
        errors.push({ field: ['metafields', String(i), 'value'], message: 'Value is already taken by another customer.' });
    }
  }
  if (errors.length) return { customer: null, userErrors: errors };
  const patch = {
    firstName: input.firstName,
    lastName: input.lastName,
    email: input.email,
    phone: input.phone,
    note: input.note,
    tags: input.tags ?? undefined,
    taxExempt: input.taxExempt ?? undefined,
    locale: input.locale ?? undefined,
    addresses: input.addresses?.map((a) => ({ ...a })) as never,
  };
  const rec = existing ? state.updateCustomer(existing.id, patch) : state.createCustomer(patch as never);
  for (const m of input.metafields ?? [])
    if (m.key && m.value != null) state.setMetafield(gid('Customer', rec.id), m.namespace ?? appNs, m.key, m.type, m.value);
  return { customer: rec, userErrors: [] };
}
