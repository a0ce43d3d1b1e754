/**
 * Maximum lengths of the B1 string fields mapping writes.
 *
 * The Service Layer's v3 $metadata (shared/reference/sap-b1-metadata.xml) carries no MaxLength
 * facets, so these are the database column sizes behind each property (table.column in the
 * comment, from SAP B1 10.0's data model). B1 rejects longer values with a -10/-5002 business
 * error on POST; mapping checks first so the record fails with the field named instead of a
 * B1 message id. Where 9.x had a smaller column, the smaller size is used so that mapping never
 * lets through a value an older installation would refuse.
 */
export const B1_MAX = {
  // BusinessPartners (OCRD)
  CardCode: 15, // OCRD.CardCode
  CardName: 100, // OCRD.CardName
  EmailAddress: 100, // OCRD.E_Mail
  Phone1: 20, // OCRD.Phone1
  Cellular: 50, // OCRD.Cellular
  Currency: 3, // OCRD.Currency
  // BPAddresses (CRD1)
  AddressName: 50, // CRD1.Address
  Street: 100, // CRD1.Street
  BuildingFloorRoom: 100, // CRD1.Building
  City: 100, // CRD1.City
  ZipCode: 20, // CRD1.ZipCode
  State: 3, // CRD1.State (OCST.Code)
  Country: 3, // CRD1.Country (OCRY.Code)
  // Orders (ORDR / RDR1 / RDR12)
  NumAtCard: 100, // ORDR.NumAtCard
  WarehouseCode: 8, // RDR1.WhsCode (OWHS.WhsCode)
  TaxCode: 8, // RDR1.TaxCode (OSTC.Code)
  ShipToStreet: 100, // RDR12.StreetS
  ShipToBuilding: 100, // RDR12.BuildingS
  ShipToCity: 100, // RDR12.CityS
  ShipToZipCode: 20, // RDR12.ZipCodeS
  ExpenseRemarks: 254, // RDR3.Comments
  // Items (OITM)
  ItemCode: 50, // OITM.ItemCode
  ItemName: 100, // OITM.ItemName (200 from 10.0; 100 before)
  BarCode: 254, // OITM.CodeBars (16 in very old releases)
  // User-defined fields the hub creates (see connectors/b1 udf definitions)
  U_ShopifyId: 50,
} as const;

export type B1LimitedField = keyof typeof B1_MAX;
