// The hub's workflows plus the webhook hint workflow, bundled for the webhook tests' worker
// (production registers it through src/workflows/index.ts).
export * from '../../src/workflows';
export { webhookHintWorkflow } from '../../src/webhooks/hint-workflow';
