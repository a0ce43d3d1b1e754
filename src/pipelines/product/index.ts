/** The product pipeline. Not built yet: every step fails the run with a clear reason. */
import type { Pipeline } from '../contract';
import { PipelineSetupError } from '../errors';

const missing = () => Promise.reject(new PipelineSetupError('the product pipeline is not implemented yet'));

export const productPipeline: Pipeline = { object: 'product', fetch: missing, map: missing, post: missing };
