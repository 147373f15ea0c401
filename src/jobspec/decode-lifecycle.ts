/** A task's `lifecycle` and `dispatch_payload` blocks, typed: the alloc runner acts on both. */
import { bool, checkKeys, oneBlock, remember, report, str, type Node } from './decode-ctx.js';
import type { Lifecycle } from './types.js';

const LIFECYCLE_KEYS = ['hook', 'sidecar'];
const DISPATCH_PAYLOAD_KEYS = ['file'];

export function decodeLifecycle(task: Node): Lifecycle | null {
  const node = oneBlock(task, 'lifecycle');
  if (node === null) return null;
  checkKeys(node, LIFECYCLE_KEYS);
  remember(node);
  remember(node, 'hook');
  const hook = str(node, 'hook', '');
  if (hook === '') report(node, 'MISSING_REQUIRED', { key: 'hook' });
  return { hook, sidecar: bool(node, 'sidecar', false) };
}

export function decodeDispatchPayload(task: Node): string | null {
  const node = oneBlock(task, 'dispatch_payload');
  if (node === null) return null;
  checkKeys(node, DISPATCH_PAYLOAD_KEYS);
  remember(node);
  remember(node, 'file');
  return str(node, 'file', '');
}
