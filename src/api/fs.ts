/**
 * GET /v1/client/fs/ls|stat|cat/:alloc?path=: the allocation directory, read-only, never
 * following a symlink out of it (a task controls what is inside).
 */
import { lstatSync, readdirSync, realpathSync, type Stats } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { constants } from 'node:fs';
import { openNoFollow } from '../util/fs-safe.js';
import { readSync, closeSync, fstatSync } from 'node:fs';
import { badRequest, notFound } from './errors.js';
import { requireAlloc } from './read-allocs.js';
import type { ReadDeps, Reply, Request } from './types.js';

const MAX_CAT_BYTES = 16 * 1024 * 1024;

function modeString(st: Stats): string {
  const t = st.isDirectory() ? 'd' : st.isSymbolicLink() ? 'L' : st.isFIFO() ? 'p' : '-';
  const bits = 'rwxrwxrwx';
  let s = '';
  for (let i = 0; i < 9; i++) s += st.mode & (1 << (8 - i)) ? bits[i] : '-';
  return t + s;
}

function fileInfo(name: string, st: Stats): Record<string, unknown> {
  return { Name: name, IsDir: st.isDirectory(), Size: st.isDirectory() ? 4096 : st.size, FileMode: modeString(st), ModTime: st.mtime.toISOString(), ContentType: '' };
}

/** The path asked for, inside the allocation's directory, or a 400. */
function resolveIn(req: Request, deps: ReadDeps): { root: string; path: string; name: string } {
  const alloc = requireAlloc(deps.readDb, req.params[0]);
  const root = join(deps.dataDir, 'alloc', alloc.id);
  const rel = req.query.get('path') ?? '/';
  const path = resolve(root, `.${rel.startsWith('/') ? rel : `/${rel}`}`);
  if (path !== root && !path.startsWith(root + sep)) throw badRequest(`path "${rel}" is outside the allocation directory`);
  let real: string;
  try {
    real = realpathSync(path);
  } catch {
    throw notFound(`file "${rel}" not found`);
  }
  const realRoot = realpathSync(root);
  if (real !== realRoot && !real.startsWith(realRoot + sep)) throw badRequest(`path "${rel}" is outside the allocation directory`);
  return { root, path, name: path.split(sep).pop() ?? '' };
}

export function fsList(req: Request, deps: ReadDeps): Reply {
  const { path } = resolveIn(req, deps);
  const st = lstatSync(path);
  if (!st.isDirectory()) return { kind: 'json', body: [fileInfo(path.split(sep).pop() ?? '', st)] };
  const out = readdirSync(path)
    .sort()
    .map((n) => fileInfo(n, lstatSync(join(path, n))));
  return { kind: 'json', body: out };
}

export function fsStat(req: Request, deps: ReadDeps): Reply {
  const { path, name } = resolveIn(req, deps);
  return { kind: 'json', body: fileInfo(name, lstatSync(path)) };
}

export function fsCat(req: Request, deps: ReadDeps): Reply {
  const { path } = resolveIn(req, deps);
  const fd = openNoFollow(path, constants.O_RDONLY);
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw badRequest('file is a directory');
    const size = Math.min(st.size, MAX_CAT_BYTES);
    const buf = Buffer.alloc(size);
    let got = 0;
    while (got < size) {
      const n = readSync(fd, buf, got, size - got, got);
      if (n === 0) break;
      got += n;
    }
    return { kind: 'text', body: buf.subarray(0, got).toString('utf8'), contentType: 'text/plain; charset=utf-8' };
  } finally {
    closeSync(fd);
  }
}
