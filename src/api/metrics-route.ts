import { badRequest } from './errors.js';
import type { AgentReply as Reply, ApiDeps, Request } from './types.js';

/** GET /v1/metrics: Nomad's JSON, or Prometheus text with `?format=prometheus`. */
export async function metricsHandler(req: Request, deps: ApiDeps): Promise<Reply> {
  const format = req.query.get('format');
  if (format === 'prometheus') {
    const { text, contentType } = await deps.metrics.prometheus();
    return { kind: 'text', body: text, contentType };
  }
  if (format !== null && format !== '') throw badRequest(`unknown metrics format "${format}"`);
  return { kind: 'json', body: await deps.metrics.json() };
}
