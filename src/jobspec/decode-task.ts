/** A `task` block to a `Task`, with Nomad's defaults. */
import {
  bool, checkKeys, duration, int, oneBlock, remember, report, str, strMap, type Node,
} from './decode-ctx.js';
import { decodeConstraints } from './decode-constraint.js';
import { decodeDriverConfig } from './decode-driver.js';
import { decodeExtra, decodeTaskScaling } from './decode-extra.js';
import { decodeArtifacts } from './decode-artifact.js';
import { decodeTemplates } from './decode-template.js';
import { decodeDispatchPayload, decodeLifecycle } from './decode-lifecycle.js';
import { decodeResources } from './decode-resources.js';
import { DEFAULTS } from './defaults.js';
import { TASK_EXTRA } from './schema.js';
import type { LogConfig, RestartMode, RestartPolicy, Task } from './types.js';

const TASK_KEYS = [
  'driver', 'config', 'user', 'env', 'meta', 'resources', 'kill_timeout', 'kill_signal', 'leader', 'logs',
  'constraint', 'restart', 'scaling', 'template', 'artifact', 'lifecycle', 'dispatch_payload', ...Object.keys(TASK_EXTRA),
];
const RESTART_KEYS = ['attempts', 'interval', 'delay', 'mode', 'render_templates'];
const LOGS_KEYS = ['max_files', 'max_file_size', 'disabled', 'enabled'];

export function decodeTask(node: Node, name: string, groupRestart: RestartPolicy): Task {
  checkKeys(node, TASK_KEYS);
  remember(node);
  const driver = str(node, 'driver', '');
  if (driver === '') report(node, 'MISSING_DRIVER', {});
  const config = decodeDriverConfig(node, driver);
  const scaling = decodeTaskScaling(node);
  const extra = decodeExtra(node, TASK_EXTRA);
  return {
    name,
    driver,
    driverConfig: config.typed,
    rawConfig: config.raw,
    user: str(node, 'user', ''),
    env: strMap(node, 'env'),
    meta: strMap(node, 'meta'),
    resources: decodeResources(node),
    killTimeoutMs: duration(node, 'kill_timeout', DEFAULTS.killTimeoutMs),
    killSignal: str(node, 'kill_signal', ''),
    leader: bool(node, 'leader', false),
    logs: decodeLogs(node),
    constraints: decodeConstraints(node),
    restart: decodeRestart(node, groupRestart),
    artifacts: decodeArtifacts(node, name),
    templates: decodeTemplates(node, name),
    lifecycle: decodeLifecycle(node),
    dispatchPayloadFile: decodeDispatchPayload(node),
    extra: scaling.length > 0 ? { ...extra, ScalingPolicies: scaling } : extra,
  };
}

function decodeLogs(task: Node): LogConfig {
  const node = oneBlock(task, 'logs');
  if (node === null) return { maxFiles: DEFAULTS.logMaxFiles, maxFileSizeMB: DEFAULTS.logMaxFileSizeMB };
  checkKeys(node, LOGS_KEYS);
  remember(node);
  return {
    maxFiles: int(node, 'max_files', DEFAULTS.logMaxFiles),
    maxFileSizeMB: int(node, 'max_file_size', DEFAULTS.logMaxFileSizeMB),
  };
}

/**
 * A `restart` block over a base policy: the group's over the job type's default, and a
 * task's over its group's, field by field, as Nomad merges them.
 */
export function decodeRestart(parent: Node, base: RestartPolicy): RestartPolicy {
  const node = oneBlock(parent, 'restart');
  if (node === null) return base;
  checkKeys(node, RESTART_KEYS);
  remember(node);
  const modeText = str(node, 'mode', base.mode);
  let mode: RestartMode = base.mode;
  if (modeText === 'fail' || modeText === 'delay') mode = modeText;
  else report(node, 'INVALID_VALUE', { message: `Unsupported restart mode: "${modeText}"` }, 'mode');
  return {
    attempts: int(node, 'attempts', base.attempts),
    intervalMs: duration(node, 'interval', base.intervalMs),
    delayMs: duration(node, 'delay', base.delayMs),
    mode,
  };
}
