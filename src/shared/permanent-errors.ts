/**
 * Error types that retrying cannot fix: a sync run fails at once with the reason. The activity
 * layer already turns every such error into a non-retryable failure (shared/error-policy.ts);
 * this list is the workflow's retry-policy backstop for failures raised outside that layer.
 * Pure (no imports): workflow code reads it.
 */
export const PERMANENT_ERROR_TYPES = [
  'HubConfigError',
  'MappingConfigError',
  'PipelineSetupError',
  'ShopifyAuthError',
  'B1LoginRejectedError',
  'B1TlsError',
];
