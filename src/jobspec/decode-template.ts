/**
 * `template` blocks to TemplateSpec, with Nomad's defaults (api.Template.Canonicalize) and
 * the checks of structs.Template.Validate: a source or inline data, a destination that
 * stays inside the allocation dir, a known change_mode, a signal when it is `signal`, octal
 * perms, no signal for an env template.
 */
import { blocks, bool, checkKeys, duration, int, remember, report, str, type Node } from './decode-ctx.js';
import { decodeExtra } from './decode-extra.js';
import type { Field } from './schema.js';
import { allocRelative, isInterpolated } from './sandbox.js';
import type { TemplateChangeMode, TemplateSpec } from './types.js';

const KEYS = [
  'source', 'destination', 'data', 'change_mode', 'change_signal', 'change_script', 'splay', 'perms', 'uid', 'gid',
  'left_delimiter', 'right_delimiter', 'env', 'vault_grace', 'error_on_missing_key', 'wait',
];

export const TEMPLATE_DEFAULTS = {
  changeMode: 'restart' as TemplateChangeMode,
  splayMs: 5_000,
  perms: '0644',
  leftDelim: '{{',
  rightDelim: '}}',
};

/** Kept for the API JSON and named by a warning (support.ts), not acted on. */
const TEMPLATE_EXTRA: Readonly<Record<string, Field>> = {
  change_script: { single: true, block: { fields: { command: 'string', args: 'strings', timeout: 'duration', fail_on_error: 'bool' } } },
  wait: { single: true, block: { fields: { min: 'duration', max: 'duration' } } },
};

const MODES: readonly TemplateChangeMode[] = ['restart', 'signal', 'noop', 'script'];

export function decodeTemplates(task: Node, taskName: string): TemplateSpec[] {
  return blocks(task, 'template').map((n) => decodeTemplate(n, taskName));
}

function decodeTemplate(node: Node, taskName: string): TemplateSpec {
  checkKeys(node, KEYS);
  remember(node);
  const source = str(node, 'source', '');
  const data = str(node, 'data', '');
  const destination = str(node, 'destination', '');
  const modeText = str(node, 'change_mode', TEMPLATE_DEFAULTS.changeMode);
  const changeMode = (MODES as readonly string[]).includes(modeText) ? (modeText as TemplateChangeMode) : TEMPLATE_DEFAULTS.changeMode;
  const changeSignal = str(node, 'change_signal', '');
  const env = bool(node, 'env', false);
  const splayMs = duration(node, 'splay', TEMPLATE_DEFAULTS.splayMs);
  const perms = permsText(node);
  // Nomad's Template.Validate rules (Job.Validate, not its parser): completeness, then values.
  if (source === '' && data === '') report(node, 'TEMPLATE_INCOMPLETE', { message: 'Must specify a source path or have an embedded template' });
  if (destination === '') report(node, 'TEMPLATE_INCOMPLETE', { message: 'Must specify a destination for the template' });
  else if (!isInterpolated(destination) && allocRelative(taskName, destination) === null) {
    report(node, 'TEMPLATE_INVALID', { message: `destination "${destination}" escapes the allocation directory; use a path inside the task dir such as "local/…"` }, 'destination');
  }
  if (!(MODES as readonly string[]).includes(modeText)) report(node, 'TEMPLATE_INVALID', { message: `Invalid change mode "${modeText}" (use restart, signal, noop or script)` }, 'change_mode');
  if (changeMode === 'signal' && changeSignal === '') report(node, 'TEMPLATE_INVALID', { message: 'Must specify signal value when change mode is signal' }, 'change_signal');
  if (changeMode === 'script' && node.body['change_script'] === undefined) report(node, 'TEMPLATE_INVALID', { message: 'must specify change script configuration value when change mode is script' }, 'change_mode');
  if (changeMode === 'signal' && env) report(node, 'TEMPLATE_INVALID', { message: 'cannot use signals with env var templates' }, 'change_mode');
  if (splayMs < 0) report(node, 'TEMPLATE_INVALID', { message: 'Must specify positive splay value' }, 'splay');
  if (!/^[0-7]{1,4}$/.test(perms)) report(node, 'TEMPLATE_INVALID', { message: `Failed to parse "${perms}" as octal` }, 'perms');
  const uid = node.body['uid'] === undefined ? null : int(node, 'uid', -1);
  const gid = node.body['gid'] === undefined ? null : int(node, 'gid', -1);
  return {
    source,
    destination,
    data,
    changeMode,
    changeSignal: changeSignal.toUpperCase(),
    splayMs,
    perms,
    uid: uid === null || uid < 0 ? null : uid,
    gid: gid === null || gid < 0 ? null : gid,
    leftDelim: str(node, 'left_delimiter', TEMPLATE_DEFAULTS.leftDelim),
    rightDelim: str(node, 'right_delimiter', TEMPLATE_DEFAULTS.rightDelim),
    env,
    errorOnMissingKey: bool(node, 'error_on_missing_key', false),
    vaultGraceMs: duration(node, 'vault_grace', 0),
    extra: decodeExtra(node, TEMPLATE_EXTRA),
  };
}

/** `perms = "0755"` as written; an HCL number (`perms = 0755` reads as 755) keeps its digits. */
function permsText(node: Node): string {
  const v = node.body['perms'];
  if (typeof v === 'number') return String(v);
  return str(node, 'perms', TEMPLATE_DEFAULTS.perms);
}
