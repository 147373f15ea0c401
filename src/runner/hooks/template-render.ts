/**
 * One template, rendered and written as Nomad's template runner does: the text inline or
 * from `source` (relative to the task dir, inside the allocation dir), Go text/template
 * with the block's delimiters and missing-key rule, then written atomically (a temp file in
 * the destination's dir, perms and owner set, renamed over) through SafeDir so a symlink the
 * task left cannot redirect the write.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { open, readFile, realpath, rename, rm } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { SafeDir } from '../../artifact/safe-dir.js';
import type { TemplateSpec } from '../../jobspec/types.js';
import { isTemplateError, parseTemplate, type FuncMap } from '../../template/index.js';
import { BivouacError } from '../../util/errors.js';
import { allocRelative } from '../../jobspec/sandbox.js';

export interface RenderTarget {
  /** The allocation dir (agent-owned root of the task dirs and alloc/). */
  readonly allocRoot: string;
  readonly taskName: string;
  /** Source and destination with `${…}` filled in (paths.ts fillPath). */
  readonly source: string;
  readonly destination: string;
  readonly funcs: FuncMap;
}

/** A render failure: `needs` is set when a function needs a server bivouac will never have. */
export class RenderError extends BivouacError {
  constructor(message: string, readonly func: string | null, readonly needs: string | null, cause?: unknown) {
    super('TEMPLATE', message, { cause, recoverable: false });
    this.name = 'RenderError';
  }
}

/** The rendered text; throws RenderError. */
export async function renderText(t: TemplateSpec, target: RenderTarget): Promise<string> {
  const text = t.source === '' ? t.data : await readSource(target);
  try {
    const tmpl = parseTemplate(target.destination, text, { leftDelim: t.leftDelim, rightDelim: t.rightDelim, funcs: target.funcs });
    return tmpl.execute({}, { missingKey: t.errorOnMissingKey ? 'error' : 'default' });
  } catch (err) {
    if (isTemplateError(err)) throw new RenderError(err.message, err.func ?? null, err.needs ?? null, err);
    throw err;
  }
}

/** Writes `content` to the destination atomically; returns false when it was already there unchanged. */
export async function writeRendered(t: TemplateSpec, target: RenderTarget, content: string, force: boolean): Promise<boolean> {
  const rel = allocRelative(target.taskName, target.destination);
  if (rel === null || rel === '') throw new RenderError(`destination "${target.destination}" escapes the allocation directory`, null, null);
  const root = new SafeDir(await realpath(target.allocRoot), Number.MAX_SAFE_INTEGER);
  const dir = await root.dir(posix.dirname(rel));
  const dest = join(dir, posix.basename(rel));
  if (!force) {
    const now = await readFile(dest, 'utf8').catch(() => null);
    if (now === content) return false;
  }
  const tmp = join(dir, `.${posix.basename(rel)}.${randomBytes(6).toString('hex')}.tmp`);
  // Setuid and setgid are dropped: the agent writes as root, and a rendered setuid-root file
  // would hand root to whatever task can run it.
  const mode = parseInt(t.perms, 8) & 0o1777;
  const fh = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  try {
    await fh.writeFile(content);
    await fh.chmod(mode);
    if (t.uid !== null || t.gid !== null) await fh.chown(t.uid ?? -1, t.gid ?? -1);
    await fh.sync();
  } catch (err) {
    await fh.close();
    await rm(tmp, { force: true });
    throw err;
  }
  await fh.close();
  await rename(tmp, dest);
  return true;
}

async function readSource(target: RenderTarget): Promise<string> {
  const rel = allocRelative(target.taskName, target.source);
  if (rel === null) throw new RenderError(`source "${target.source}" escapes the allocation directory`, null, null);
  const root = await realpath(target.allocRoot);
  const path = join(root, rel);
  try {
    const real = await realpath(path);
    if (!real.startsWith(root + '/')) throw new RenderError(`source "${target.source}" leads outside the allocation directory`, null, null);
    return await readFile(real, 'utf8');
  } catch (err) {
    if (err instanceof RenderError) throw err;
    throw new RenderError(`failed to read template source "${target.source}": ${(err as NodeJS.ErrnoException).code ?? String(err)}`, null, null, err);
  }
}


/** What the destination holds now, or null when it cannot be read. */
export async function readRendered(target: RenderTarget): Promise<string | null> {
  const rel = allocRelative(target.taskName, target.destination);
  if (rel === null) return null;
  return readFile(join(target.allocRoot, rel), 'utf8').catch(() => null);
}
