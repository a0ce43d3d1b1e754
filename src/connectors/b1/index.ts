export { B1Client, type B1ClientOptions } from './client';
export {
  B1ClientCore,
  keyFromLocation,
  type BatchEachResult,
  type CheckedRow,
  type EntityKey,
  type Page,
  type PageOptions,
  type RequestOptions,
  type B1Response,
} from './core';
export {
  B1Error,
  B1NotFoundError,
  B1BusinessRuleError,
  B1SessionError,
  B1LoginRejectedError,
  B1ConflictError,
  B1TransientError,
  B1ProtocolError,
  B1TlsError,
  parseErrorBody,
  classifyError,
  type B1ErrorContext,
} from './errors';
export { buildQueryString, f, lit, str, keySegment, type ODataQuery } from './odata-query';
export { deltaFilter, stampOf, type DeltaCursor } from './delta';
export { buildBatchBody, buildChangesetBody, parseBatchResponse, type BatchOperation, type BatchPartResult } from './batch';
export {
  ensureUserFields,
  checkUserFields,
  ensureUserTables,
  reservationFieldSpecs,
  HUB_UDFS,
  RESTART_MESSAGE,
  type UdfSpec,
  type UdfCheckResult,
  type UdtCheckResult,
} from './udf';
export {
  Reservations,
  ReservationSetupError,
  ORDER_RESERVATIONS,
  PARTNER_RESERVATIONS,
  INVOICE_RESERVATIONS,
  PAYMENT_RESERVATIONS,
  CREDIT_RESERVATIONS,
  REFUND_PAYMENT_RESERVATIONS,
  RESERVATION_TABLES,
  type Reservation,
  type ReservationTable,
  type ReserveResult,
  type ReservationOptions,
} from './reservations';
export { MoneyDocuments, type MoneyDocument, type MoneySet, type PaymentDocument } from './documents-money';
export type { B1TlsOptions } from './tls';
export type { B1Logger } from './logger';
export * from './schemas';
