/**
 * Writes into a directory tree without ever leaving it. Names come from archives and job
 * files, and the tree may hold what a task left there on an earlier run, so every path is
 * walked component by component with lstat: a symlink is followed only when its real target
 * stays inside the root, a missing directory is made, and a file is opened with O_NOFOLLOW
 * (a symlink in its place is removed, never written through). Entries with absolute names
 * or `..` that climb out are refused, as are symlinks and hard links whose targets are out.
 */
import { constants } from 'node:fs';
import { link, lstat, mkdir, open, realpath, symlink, unlink } from 'node:fs/promises';
import { isAbsolute, join, posix, relative, sep } from 'node:path';
import { artifactError } from './errors.js';

export class SafeDir {
  private written = 0;

  /** `root` must be a real path (no symlinks in it). */
  constructor(readonly root: string, private readonly maxBytes: number) {}

  /** The root-relative form of an entry name, or an error naming the entry. */
  static entry(name: string): string {
    if (name.includes('\0')) throw artifactError(`archive entry ${JSON.stringify(name)} has a NUL in its name`);
    if (isAbsolute(name) || /^[A-Za-z]:[\\/]/.test(name)) throw artifactError(`archive entry "${name}" has an absolute path; refused`);
    const rel = posix.normalize(name.replace(/\\/g, '/'));
    if (rel === '..' || rel.startsWith('../')) throw artifactError(`archive entry "${name}" escapes the destination; refused`);
    return rel === '.' || rel === './' ? '' : rel.replace(/\/+$/, '');
  }

  /** Makes (or checks) a directory and returns its real path. */
  async dir(rel: string, mode = 0o755): Promise<string> {
    let cur = this.root;
    for (const part of rel.split('/').filter((p) => p !== '' && p !== '.')) {
      const next = join(cur, part);
      const st = await lstat(next).catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? null : Promise.reject(e)));
      if (st === null) await mkdir(next, { mode });
      else if (st.isSymbolicLink()) {
        const real = await realpath(next);
        this.inside(real, rel);
        if (!(await lstat(real)).isDirectory()) throw artifactError(`"${rel}": ${part} is not a directory`);
        cur = real;
        continue;
      } else if (!st.isDirectory()) throw artifactError(`"${rel}": ${part} is not a directory`);
      cur = next;
    }
    return cur;
  }

  /** Writes a file from chunks, replacing whatever (file or symlink) had the name. */
  async file(rel: string, mode: number, chunks: AsyncIterable<Buffer>): Promise<void> {
    if (rel === '') throw artifactError('archive entry with an empty name');
    const parent = await this.dir(posix.dirname(rel));
    const path = join(parent, posix.basename(rel));
    await this.clear(path);
    const fh = await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, mode & 0o777);
    try {
      for await (const c of chunks) {
        this.written += c.length;
        if (this.written > this.maxBytes) throw artifactError(`archive unpacks to more than the agent's http_max_size (${this.maxBytes} bytes)`);
        await fh.write(c);
      }
      await fh.chmod(mode & 0o777);
    } finally {
      await fh.close();
    }
  }

  async symlink(rel: string, target: string): Promise<void> {
    const parent = await this.dir(posix.dirname(rel));
    const resolved = isAbsolute(target) ? target : join(parent, target);
    this.inside(resolved, rel, `symlink "${rel}" points outside the destination (${target}); refused`);
    const path = join(parent, posix.basename(rel));
    await this.clear(path);
    await symlink(target, path);
    // The lexical check cannot see through symlinks made earlier (`b -> ..` then `c -> b/..`):
    // resolve what was made, and take it back if it lands outside.
    const real = await realpath(path).catch(() => null);
    if (real !== null && !this.contains(real)) {
      await unlink(path);
      throw artifactError(`symlink "${rel}" points outside the destination (${target}); refused`);
    }
  }

  async hardlink(rel: string, targetRel: string): Promise<void> {
    const target = join(await this.dir(posix.dirname(targetRel)), posix.basename(targetRel));
    const st = await lstat(target).catch(() => null);
    if (st === null || !st.isFile()) throw artifactError(`hard link "${rel}" points at "${targetRel}", which is not a file unpacked here; refused`);
    const path = join(await this.dir(posix.dirname(rel)), posix.basename(rel));
    await this.clear(path);
    await link(target, path);
  }

  private async clear(path: string): Promise<void> {
    const st = await lstat(path).catch(() => null);
    if (st === null) return;
    if (st.isDirectory()) throw artifactError(`"${relative(this.root, path)}" is a directory; refusing to replace it with a file`);
    await unlink(path);
  }

  private contains(path: string): boolean {
    const norm = posix.normalize(path);
    return norm === this.root || norm.startsWith(this.root.endsWith(sep) ? this.root : this.root + sep);
  }

  private inside(real: string, rel: string, message?: string): void {
    if (!this.contains(real)) {
      throw artifactError(message ?? `"${rel}" leads outside the destination through a symlink; refused`);
    }
  }
}
