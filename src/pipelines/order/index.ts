/** The order pipeline. Not built yet: every step fails the run with a clear reason. */
import type { Pipeline } from '../contract';
import { PipelineSetupError } from '../errors';

const missing = () => Promise.reject(new PipelineSetupError('the order pipeline is not implemented yet'));

export const orderPipeline: Pipeline = { object: 'order', fetch: missing, map: missing, post: missing };
