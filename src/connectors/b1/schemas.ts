/**
 * zod schemas for the Service Layer entities the hub uses. Field names, Edm types and enum members
 * are generated from SAP's $metadata (see metadata/codegen.ts); objects are loose so that fields of
 * newer releases and user-defined fields (`U_*`) pass through untouched.
 *
 * Every property is optional because `$select` returns subsets; properties SAP marks as nullable
 * also accept null.
 */
import { z } from 'zod';
import {
  AddressExtensionMd,
  BPAddressMd,
  B1SessionMd,
  BusinessPartnerMd,
  ContactEmployeeMd,
  DocumentAdditionalExpenseMd,
  DocumentLineMd,
  DocumentMd,
  ItemGroupsMd,
  ItemMd,
  ItemPriceMd,
  ItemWarehouseInfoMd,
  PriceListMd,
  SalesTaxCodeMd,
  UserFieldMDMd,
  ValidValueMDMd,
  WarehouseMd,
  WeightMeasureMd,
} from './metadata/generated';

export {
  BoYesNoEnumSchema,
  BoCardTypesSchema,
  BoStatusSchema,
  BoDocumentTypesSchema,
  BoAddressTypeSchema,
  ItemTypeEnumSchema,
  BoFieldTypesSchema,
  BoFldSubTypesSchema,
} from './metadata/generated';

/** UDFs the hub itself creates (see udf.ts); declared so callers get types, not because SAP has them. */
const udfText = z.string().nullish();

export const BPAddressSchema = BPAddressMd;
export const ContactEmployeeSchema = ContactEmployeeMd;
export const BusinessPartnerSchema = BusinessPartnerMd.extend({ U_ShopifyId: udfText });

export const ItemPriceSchema = ItemPriceMd;
export const ItemWarehouseInfoSchema = ItemWarehouseInfoMd;
export const ItemSchema = ItemMd.extend({
  U_ShopifyId: udfText,
  U_ShopifySync: udfText,
  U_ShopifyVariantId: udfText,
  U_ShopifyHash: udfText,
});
export const ItemGroupSchema = ItemGroupsMd;
export const WarehouseSchema = WarehouseMd;
export const PriceListSchema = PriceListMd;
export const WeightMeasureSchema = WeightMeasureMd;

export const DocumentLineSchema = DocumentLineMd;
export const AddressExtensionSchema = AddressExtensionMd;
export const DocumentAdditionalExpenseSchema = DocumentAdditionalExpenseMd;
/** Orders are SAP `Document`s (object 17). */
export const OrderSchema = DocumentMd.extend({ U_ShopifyId: udfText });

/** US-style sales tax codes (line `TaxCode`). */
export const SalesTaxCodeSchema = SalesTaxCodeMd;

export const ValidValueMDSchema = ValidValueMDMd;
export const UserFieldMDSchema = UserFieldMDMd;
export const B1SessionSchema = B1SessionMd;

export type BPAddress = z.infer<typeof BPAddressSchema>;
export type ContactEmployee = z.infer<typeof ContactEmployeeSchema>;
export type BusinessPartner = z.infer<typeof BusinessPartnerSchema>;
export type ItemPrice = z.infer<typeof ItemPriceSchema>;
export type ItemWarehouseInfo = z.infer<typeof ItemWarehouseInfoSchema>;
export type Item = z.infer<typeof ItemSchema>;
export type ItemGroup = z.infer<typeof ItemGroupSchema>;
export type Warehouse = z.infer<typeof WarehouseSchema>;
export type PriceList = z.infer<typeof PriceListSchema>;
export type WeightMeasure = z.infer<typeof WeightMeasureSchema>;
export type DocumentLine = z.infer<typeof DocumentLineSchema>;
export type AddressExtension = z.infer<typeof AddressExtensionSchema>;
export type DocumentAdditionalExpense = z.infer<typeof DocumentAdditionalExpenseSchema>;
export type Order = z.infer<typeof OrderSchema>;
export type UserFieldMD = z.infer<typeof UserFieldMDSchema>;
export type B1Session = z.infer<typeof B1SessionSchema>;
export type SalesTaxCode = z.infer<typeof SalesTaxCodeSchema>;

/** Entity set name → schema of one entity, used by the generic client methods. */
export const ENTITY_SCHEMAS = {
  BusinessPartners: BusinessPartnerSchema,
  Items: ItemSchema,
  ItemGroups: ItemGroupSchema,
  Warehouses: WarehouseSchema,
  PriceLists: PriceListSchema,
  WeightMeasures: WeightMeasureSchema,
  Orders: OrderSchema,
  UserFieldsMD: UserFieldMDSchema,
  SalesTaxCodes: SalesTaxCodeSchema,
} as const;
export type EntitySetName = keyof typeof ENTITY_SCHEMAS;
export type EntityOf<S extends EntitySetName> = z.infer<(typeof ENTITY_SCHEMAS)[S]>;

/**
 * Write payloads: any subset of the entity's fields plus UDFs. Numbers may also be sent as
 * strings (SAP accepts `"Quantity":"100"`), but the hub sends real numbers.
 */
export type B1Write<T> = { [K in keyof T]?: T[K] | null } & { [udf: `U_${string}`]: string | number | null | undefined };
