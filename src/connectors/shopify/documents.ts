// Every document the hub sends to Shopify, by resource. Page sizes are variables so the executor
// can halve them on MAX_COST_EXCEEDED; nothing else is ever spliced into a document.
export * from './documents-customers';
export * from './documents-orders';
export * from './documents-products';
export * from './documents-inventory';
export * from './documents-admin';
export * from './documents-orders-money';
