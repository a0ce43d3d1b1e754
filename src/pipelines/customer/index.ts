/** The customer pipeline. Not built yet: every step fails the run with a clear reason. */
import type { Pipeline } from '../contract';
import { PipelineSetupError } from '../errors';

const missing = () => Promise.reject(new PipelineSetupError('the customer pipeline is not implemented yet'));

export const customerPipeline: Pipeline = { object: 'customer', fetch: missing, map: missing, post: missing };
