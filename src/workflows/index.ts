// The worker's workflow bundle entry point: every workflow type the hub runs.
export { schedulerWorkflow } from './scheduler';
export { syncRunWorkflow } from './sync-run';
export { ledgerWorkflow } from './ledger';
export { webhookHintWorkflow } from '../webhooks/hint-workflow';
export { initialLoadWorkflow } from './initial-load';
