/**
 * Nomad's checks on a dispatch request (nomad/job_endpoint.go validateDispatchRequest),
 * in its words. Pure: the parent job, the meta and the payload in, the problems out.
 */
import type { Job } from '../jobspec/types.js';

/** structs.DispatchPayloadSizeLimit. */
export const DISPATCH_PAYLOAD_LIMIT = 16 * 1024;

export function dispatchProblems(parent: Job, meta: Readonly<Record<string, string>>, payload: Buffer | null): string[] {
  const p = parent.parameterized;
  if (p === null) return [`Specified job "${parent.id}" is not a parameterized job`];
  const out: string[] = [];
  const size = payload?.length ?? 0;
  if (p.payload === 'forbidden' && size > 0) out.push('Payload is not allowed');
  if (p.payload === 'required' && size === 0) out.push('Payload is not provided');
  if (size > DISPATCH_PAYLOAD_LIMIT) out.push(`Payload exceeds maximum size; ${size} > ${DISPATCH_PAYLOAD_LIMIT}`);
  const allowed = new Set([...p.metaRequired, ...p.metaOptional]);
  const extra = Object.keys(meta).filter((k) => !allowed.has(k)).sort();
  if (extra.length > 0) out.push(`Dispatch request included unpermitted metadata keys: [${extra.join(' ')}]`);
  const missing = p.metaRequired.filter((k) => !(k in meta));
  if (missing.length > 0) out.push(`Dispatch did not provide required meta keys: [${missing.join(' ')}]`);
  return out;
}
