/** A pipeline cannot run at all (missing setup, unimplemented object): retrying will not help. */
export class PipelineSetupError extends Error {
  override name = 'PipelineSetupError';
}
