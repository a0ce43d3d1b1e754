/** The inventory pipeline. Not built yet: every step fails the run with a clear reason. */
import type { Pipeline } from '../contract';
import { PipelineSetupError } from '../errors';

const missing = () => Promise.reject(new PipelineSetupError('the inventory pipeline is not implemented yet'));

export const inventoryPipeline: Pipeline = { object: 'inventory', fetch: missing, map: missing, post: missing };
