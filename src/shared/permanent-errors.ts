/** Error types that retrying cannot fix: a sync run fails at once with the reason. */
export const PERMANENT_ERROR_TYPES = ['HubConfigError', 'MappingConfigError', 'ShopifyAuthError', 'B1AuthError', 'PipelineSetupError'];
