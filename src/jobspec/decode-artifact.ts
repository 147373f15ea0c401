/**
 * `artifact` blocks to ArtifactSpec, with Nomad's defaults (`local/`, mode `any`) and the
 * checks of structs.TaskArtifact.Validate: a source, a known mode, a destination inside the
 * allocation dir, and a well-formed `checksum` option.
 */
import { blocks, checkKeys, isObject, remember, report, str, strMap, type Node } from './decode-ctx.js';
import { decodeExtra } from './decode-extra.js';
import { allocRelative, isInterpolated } from './sandbox.js';
import type { ArtifactMode, ArtifactSpec } from './types.js';

const KEYS = ['source', 'destination', 'mode', 'options', 'headers', 'chown'];
const MODES: readonly ArtifactMode[] = ['any', 'file', 'dir'];
export const ARTIFACT_DEFAULT_DEST = 'local/';

/** Hex digits per checksum type, as go-getter knows them. */
export const CHECKSUM_HEX_LENGTH: Readonly<Record<string, number>> = { md5: 32, sha1: 40, sha256: 64, sha512: 128 };

export function decodeArtifacts(task: Node, taskName: string): ArtifactSpec[] {
  return blocks(task, 'artifact').map((n) => decodeArtifact(n, taskName));
}

function decodeArtifact(node: Node, taskName: string): ArtifactSpec {
  checkKeys(node, KEYS);
  remember(node);
  const source = str(node, 'source', '');
  if (source === '') report(node, 'ARTIFACT_INVALID', { message: 'source must be specified' }, 'source');
  const destination = str(node, 'destination', ARTIFACT_DEFAULT_DEST);
  // bivouac unpacks artifacts only inside the task's own dir (Nomad allows the whole alloc dir).
  const rel = isInterpolated(destination) ? taskName : allocRelative(taskName, destination);
  if (rel === null || (rel !== taskName && !rel.startsWith(`${taskName}/`))) {
    report(node, 'ARTIFACT_INVALID', { message: `destination "${destination}" escapes the task directory; use a path inside it such as "local/…"` }, 'destination');
  }
  const modeText = str(node, 'mode', 'any');
  if (!(MODES as readonly string[]).includes(modeText)) report(node, 'ARTIFACT_INVALID', { message: `invalid artifact mode "${modeText}"; must be one of: any, file, dir` }, 'mode');
  const options = mapOrBlock(node, 'options');
  const checksum = options['checksum'];
  if (checksum !== undefined && !isInterpolated(checksum)) {
    const problem = checksumProblem(checksum);
    if (problem !== null) report(node, 'ARTIFACT_INVALID', { message: problem }, 'options');
  }
  return {
    source,
    destination,
    mode: (MODES as readonly string[]).includes(modeText) ? (modeText as ArtifactMode) : 'any',
    options,
    headers: mapOrBlock(node, 'headers'),
    extra: decodeExtra(node, { chown: 'bool' }),
  };
}

/** `options { … }` and `options = { … }` alike. */
function mapOrBlock(node: Node, key: string): Record<string, string> {
  const v = node.body[key];
  if (v === undefined || v === null) return {};
  if (!isObject(v) && !Array.isArray(v)) {
    report(node, 'WRONG_TYPE', { key, expected: 'a map of strings', got: typeof v }, key);
    return {};
  }
  return strMap(node, key);
}

/** Why a `type:hex` checksum is not one go-getter accepts, or null when it is. */
export function checksumProblem(checksum: string): string | null {
  const i = checksum.indexOf(':');
  if (i < 0) return `invalid checksum "${checksum}": use type:value, e.g. "sha256:<64 hex digits>"`;
  const type = checksum.slice(0, i);
  const value = checksum.slice(i + 1);
  const want = CHECKSUM_HEX_LENGTH[type];
  if (want === undefined) return `unsupported checksum type: ${type} (use md5, sha1, sha256 or sha512)`;
  if (!/^[0-9a-fA-F]*$/.test(value)) return `invalid checksum: ${value} is not hexadecimal`;
  if (value.length !== want) return `invalid ${type} checksum: want ${want} hex digits, got ${value.length}`;
  return null;
}
