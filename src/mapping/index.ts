/** The pure mapping layer of the four pipelines (no I/O; safe in workflow and activity code). */
export * from './config';
export * from './errors';
export * from './outcome';
export * from './customer';
export * from './product';
export * from './order';
export * from './inventory';
export * from './money-config';
export * from './payment';
export * from './refund';
export { fingerprint, stableStringify, deterministicUuid } from './fingerprint';
export { B1_MAX } from './b1-limits';
export type * from './types';
