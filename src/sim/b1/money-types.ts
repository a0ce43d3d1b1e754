/**
 * What the money side of the simulator (invoices, credit notes, incoming and outgoing payments,
 * credit cards) needs from SAP's $metadata beyond the generated subset: the Payment, PaymentInvoice,
 * PaymentCreditCard and CreditCard types and their enums, extracted verbatim from the reference
 * `sap-b1-metadata.xml` (same tuple form as generated.ts: [name, Edm type, flags 1 = not nullable
 * 2 = read-only, DB default]), plus the entity sets that serve them.
 */
import type { B1PropTuple } from '../../connectors/b1/metadata/generated';
import type { EntitySetDef } from './model';

export const MONEY_ENUMS = {"BoBoeStatus":[["boes_Created","G"],["boes_Sent","S"],["boes_Deposited","D"],["boes_Paid","P"],["boes_Cancelled","C"],["boes_Closed","L"],["boes_Failed","F"]],"BoORCTPaymentTypeEnum":[["bopt_None","N"],["bopt_Electronic","E"],["bopt_Post","P"],["bopt_Telegraph","T"],["bopt_Express","X"]],"BoPaymentPriorities":[["bopp_Priority_1","1"],["bopp_Priority_2","2"],["bopp_Priority_3","3"],["bopp_Priority_4","4"],["bopp_Priority_5","5"],["bopp_Priority_6","6"]],"BoPaymentsObjectType":[["bopot_IncomingPayments","24"],["bopot_OutgoingPayments","46"]],"BoRcptCredTypes":[["cr_Regular","S"],["cr_Telephone","U"],["cr_InternetTransaction","I"]],"BoRcptInvTypes":[["it_AllTransactions","-1"],["it_OpeningBalance","-2"],["it_ClosingBalance","-3"],["it_Invoice","13"],["it_CredItnote","14"],["it_TaxInvoice","15"],["it_Return","16"],["it_PurchaseInvoice","18"],["it_PurchaseCreditNote","19"],["it_PurchaseDeliveryNote","20"],["it_PurchaseReturn","21"],["it_Receipt","24"],["it_Deposit","25"],["it_JournalEntry","30"],["it_PaymentAdvice","46"],["it_ChequesForPayment","57"],["it_StockReconciliations","58"],["it_GeneralReceiptToStock","59"],["it_GeneralReleaseFromStock","60"],["it_TransferBetweenWarehouses","67"],["it_WorkInstructions","68"],["it_DeferredDeposit","76"],["it_CorrectionInvoice","132"],["it_APCorrectionInvoice","163"],["it_ARCorrectionInvoice","165"],["it_DownPayment","203"],["it_PurchaseDownPayment","204"]],"BoRcptTypes":[["rCustomer","C"],["rAccount","A"],["rSupplier","S"]],"BoYesNoEnum":[["tNO","N"],["tYES","Y"]],"PaymentsAuthorizationStatusEnum":[["pasWithout","-"],["pasPending","W"],["pasApproved","Y"],["pasRejected","N"],["pasGenerated","P"],["pasGeneratedbyAuthorizer","A"],["pasCancelled","C"]]} as const;

export const MONEY_TYPES: Record<string, { key: readonly string[]; props: readonly B1PropTuple[] }> = {"Payment":{"key":["DocEntry"],"props":[["DocNum","Edm.Int32",0,null],["DocType","SAPB1.BoRcptTypes",0,null],["HandWritten","SAPB1.BoYesNoEnum",0,null],["Printed","SAPB1.BoYesNoEnum",0,"N"],["DocDate","Edm.DateTime",0,null],["CardCode","Edm.String",0,null],["CardName","Edm.String",0,null],["Address","Edm.String",0,null],["CashAccount","Edm.String",0,null],["DocCurrency","Edm.String",0,null],["CashSum","Edm.Double",0,null],["CheckAccount","Edm.String",0,null],["TransferAccount","Edm.String",0,null],["TransferSum","Edm.Double",0,null],["TransferDate","Edm.DateTime",0,null],["TransferReference","Edm.String",0,null],["LocalCurrency","SAPB1.BoYesNoEnum",0,"N"],["DocRate","Edm.Double",0,null],["Reference1","Edm.String",0,null],["Reference2","Edm.String",0,null],["CounterReference","Edm.String",0,null],["Remarks","Edm.String",0,null],["JournalRemarks","Edm.String",0,null],["SplitTransaction","SAPB1.BoYesNoEnum",0,"N"],["ContactPersonCode","Edm.Int32",0,null],["ApplyVAT","SAPB1.BoYesNoEnum",0,"N"],["TaxDate","Edm.DateTime",0,null],["Series","Edm.Int32",0,null],["BankCode","Edm.String",0,null],["BankAccount","Edm.String",0,null],["DiscountPercent","Edm.Double",0,null],["ProjectCode","Edm.String",0,null],["CurrencyIsLocal","SAPB1.BoYesNoEnum",0,"N"],["DeductionPercent","Edm.Double",0,null],["DeductionSum","Edm.Double",0,null],["CashSumFC","Edm.Double",2,null],["CashSumSys","Edm.Double",2,null],["BoeAccount","Edm.String",0,null],["BillOfExchangeAmount","Edm.Double",0,null],["BillofExchangeStatus","SAPB1.BoBoeStatus",0,null],["BillOfExchangeAmountFC","Edm.Double",2,null],["BillOfExchangeAmountSC","Edm.Double",2,null],["BillOfExchangeAgent","Edm.String",0,null],["WTCode","Edm.String",0,null],["WTAmount","Edm.Double",0,null],["WTAmountFC","Edm.Double",2,null],["WTAmountSC","Edm.Double",2,null],["WTAccount","Edm.String",2,null],["WTTaxableAmount","Edm.Double",2,null],["Proforma","SAPB1.BoYesNoEnum",0,"N"],["PayToBankCode","Edm.String",0,null],["PayToBankBranch","Edm.String",0,null],["PayToBankAccountNo","Edm.String",0,null],["PayToCode","Edm.String",0,null],["PayToBankCountry","Edm.String",0,null],["IsPayToBank","SAPB1.BoYesNoEnum",0,"N"],["DocEntry","Edm.Int32",3,null],["PaymentPriority","SAPB1.BoPaymentPriorities",0,"6"],["TaxGroup","Edm.String",0,null],["BankChargeAmount","Edm.Double",0,null],["BankChargeAmountInFC","Edm.Double",2,null],["BankChargeAmountInSC","Edm.Double",0,null],["UnderOverpaymentdifference","Edm.Double",2,null],["UnderOverpaymentdiffSC","Edm.Double",2,null],["WtBaseSum","Edm.Double",0,null],["WtBaseSumFC","Edm.Double",2,null],["WtBaseSumSC","Edm.Double",2,null],["VatDate","Edm.DateTime",0,null],["TransactionCode","Edm.String",0,null],["PaymentType","SAPB1.BoORCTPaymentTypeEnum",0,"N"],["TransferRealAmount","Edm.Double",0,null],["DocObjectCode","SAPB1.BoPaymentsObjectType",0,null],["DocTypte","SAPB1.BoRcptTypes",0,null],["DueDate","Edm.DateTime",0,null],["LocationCode","Edm.Int32",0,null],["Cancelled","SAPB1.BoYesNoEnum",2,null],["ControlAccount","Edm.String",0,null],["UnderOverpaymentdiffFC","Edm.Double",2,null],["AuthorizationStatus","SAPB1.PaymentsAuthorizationStatusEnum",2,"-"],["BPLID","Edm.Int32",0,null],["BPLName","Edm.String",2,null],["VATRegNum","Edm.String",2,null],["BlanketAgreement","Edm.Int32",0,null],["PaymentByWTCertif","SAPB1.BoYesNoEnum",0,"N"],["PaymentChecks","Collection(SAPB1.PaymentCheck)",0,null],["PaymentInvoices","Collection(SAPB1.PaymentInvoice)",0,null],["PaymentCreditCards","Collection(SAPB1.PaymentCreditCard)",0,null],["PaymentAccounts","Collection(SAPB1.PaymentAccount)",0,null],["BillOfExchange","SAPB1.BillOfExchange",0,null],["WithholdingTaxCertificatesCollection","Collection(SAPB1.WithholdingTaxCertificatesData)",0,null],["ElectronicProtocols","Collection(SAPB1.ElectronicProtocol)",0,null],["CashFlowAssignments","Collection(SAPB1.CashFlowAssignment)",0,null],["Payments_ApprovalRequests","Collection(SAPB1.Payments_ApprovalRequest)",0,null],["WithholdingTaxDataWTXCollection","Collection(SAPB1.WithholdingTaxDataWTX)",0,null]]},"PaymentInvoice":{"key":[],"props":[["LineNum","Edm.Int32",0,null],["DocEntry","Edm.Int32",0,null],["SumApplied","Edm.Double",0,null],["AppliedFC","Edm.Double",0,null],["AppliedSys","Edm.Double",0,null],["DocRate","Edm.Double",0,null],["DocLine","Edm.Int32",0,"0"],["InvoiceType","SAPB1.BoRcptInvTypes",0,"13"],["DiscountPercent","Edm.Double",0,null],["PaidSum","Edm.Double",0,null],["InstallmentId","Edm.Int32",0,"1"],["WitholdingTaxApplied","Edm.Double",2,null],["WitholdingTaxAppliedFC","Edm.Double",2,null],["WitholdingTaxAppliedSC","Edm.Double",2,null],["LinkDate","Edm.DateTime",2,null],["DistributionRule","Edm.String",0,null],["DistributionRule2","Edm.String",0,null],["DistributionRule3","Edm.String",0,null],["DistributionRule4","Edm.String",0,null],["DistributionRule5","Edm.String",0,null],["TotalDiscount","Edm.Double",0,null],["TotalDiscountFC","Edm.Double",0,null],["TotalDiscountSC","Edm.Double",2,null]]},"PaymentCreditCard":{"key":[],"props":[["LineNum","Edm.Int32",0,null],["CreditCard","Edm.Int32",0,"-1"],["CreditAcct","Edm.String",0,null],["CreditCardNumber","Edm.String",0,null],["CardValidUntil","Edm.DateTime",0,null],["VoucherNum","Edm.String",0,null],["OwnerIdNum","Edm.String",0,null],["OwnerPhone","Edm.String",0,null],["PaymentMethodCode","Edm.Int32",0,"-1"],["NumOfPayments","Edm.Int32",0,"1"],["FirstPaymentDue","Edm.DateTime",0,null],["FirstPaymentSum","Edm.Double",0,null],["AdditionalPaymentSum","Edm.Double",0,null],["CreditSum","Edm.Double",0,null],["CreditCur","Edm.String",0,null],["CreditRate","Edm.Double",0,null],["ConfirmationNum","Edm.String",0,null],["NumOfCreditPayments","Edm.Int32",0,"1"],["CreditType","SAPB1.BoRcptCredTypes",0,"S"],["SplitPayments","SAPB1.BoYesNoEnum",0,"N"]]},"CreditCard":{"key":["CreditCardCode"],"props":[["CreditCardCode","Edm.Int32",3,null],["CreditCardName","Edm.String",1,null],["GLAccount","Edm.String",0,null],["Telephone","Edm.String",0,null],["CompanyID","Edm.String",0,null],["CountryCode","Edm.String",0,null]]}} as unknown as Record<string, { key: readonly string[]; props: readonly B1PropTuple[] }>;

/**
 * Header fields of newer releases' Document type (SAP's v4 $metadata of 10.0 FP 2x, reference
 * source [GEN]) that the reference file predates: the amount paid (incoming payments, credit notes
 * reconciled) of an invoice or credit note. Read-only; served on Invoices and CreditNotes only.
 */
export const PAID_TO_DATE_FIELDS = ['PaidToDate', 'PaidToDateFC', 'PaidToDateSys'] as const;

const MARKETING_DOCUMENT = {
  type: 'Document',
  key: ['DocEntry'],
  keyKind: 'number',
  autoKey: true,
  collections: [
    { prop: 'DocumentLines', rowType: 'DocumentLine', rowKey: 'LineNum' },
    { prop: 'DocumentAdditionalExpenses', rowType: 'DocumentAdditionalExpense', rowKey: 'ExpenseCode' },
  ],
  complex: [{ prop: 'AddressExtension', type: 'AddressExtension' }],
  // Posted documents are cancelled (or credited), never deleted (reference §5).
  deletable: false,
} as const satisfies Omit<EntitySetDef, 'name' | 'udfTable'>;

const PAYMENT = {
  type: 'Payment',
  key: ['DocEntry'],
  keyKind: 'number',
  autoKey: true,
  collections: [
    { prop: 'PaymentInvoices', rowType: 'PaymentInvoice', rowKey: 'LineNum' },
    { prop: 'PaymentCreditCards', rowType: 'PaymentCreditCard', rowKey: 'LineNum' },
  ],
  complex: [],
  deletable: false,
} as const satisfies Omit<EntitySetDef, 'name' | 'udfTable'>;

/** Entity sets of the money side; table names (UDF owners) from SAP's $metadata EntitySet TableName. */
export const MONEY_ENTITY_SETS: Record<string, EntitySetDef> = {
  Invoices: { name: 'Invoices', ...MARKETING_DOCUMENT, udfTable: 'OINV' },
  CreditNotes: { name: 'CreditNotes', ...MARKETING_DOCUMENT, udfTable: 'ORIN' },
  IncomingPayments: { name: 'IncomingPayments', ...PAYMENT, udfTable: 'ORCT' },
  VendorPayments: { name: 'VendorPayments', ...PAYMENT, udfTable: 'OVPM' },
  CreditCards: { name: 'CreditCards', type: 'CreditCard', udfTable: 'OCRC', key: ['CreditCardCode'], keyKind: 'number', autoKey: true, collections: [], complex: [], deletable: true },
};

/**
 * UDF tables that share one set of fields in B1: a field on one marketing-document header table
 * (ORDR, OINV, ORIN, ODLN) exists on all of them, likewise for their line tables (RDR1, …) and
 * for incoming and outgoing payments (ORCT, OVPM) (reference §8: "on RDR1 it propagates to all
 * marketing-document line tables").
 */
const UDF_GROUPS: Record<string, string> = { OINV: 'ORDR', ORIN: 'ORDR', ODLN: 'ORDR', INV1: 'RDR1', RIN1: 'RDR1', DLN1: 'RDR1', OVPM: 'ORCT' };
export function udfGroup(table: unknown): unknown {
  return typeof table === 'string' ? (UDF_GROUPS[table] ?? table) : table;
}
/** Tables of the money side that accept UserFieldsMD fields. */
export const MONEY_UDF_TABLES = ['OINV', 'ORIN', 'ODLN', 'INV1', 'RIN1', 'DLN1', 'ORCT', 'OVPM', 'OCRC'];
