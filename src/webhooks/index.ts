export {
  createWebhookHandler,
  startWebhookReceiver,
  webhookSecretsFromEnv,
  dedupeKey,
  DEFAULT_MAX_BODY_BYTES,
  type WebhookReceiver,
  type WebhookReceiverOptions,
  type WebhookHandler,
  type WebhookOutcome,
} from './receiver';
export { WebhookStats, mergeWebhookStats, type TopicStats } from './stats';
export { actionFor, topicEnum, HUB_TOPICS, type WebhookAction } from './topics';
export { verifyWebhookHmac, webhookHmac } from './verify';
export { WEBHOOK_HINT_WORKFLOW_PREFIX, hintRequestId, type WebhookHintInput } from './hint-workflow';
