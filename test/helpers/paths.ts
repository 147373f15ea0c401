import { chmodSync, cpSync, existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, found from this file whether it runs from test/ (tsx) or dist/test/. */
export const repoRoot: string = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('package.json not found above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
  return dir;
})();

/** Fixtures live in the source tree, not in dist/. */
export const fixturesDir = join(repoRoot, 'test', 'fixtures');

/**
 * The CLI as shipped: the bundle `npm run build` makes of the compiled cmd/ (the `prepare`
 * step of `npm ci`), one file per command, so a cold command loads a few files, not dozens.
 */
export const cliPath = join(repoRoot, 'dist', 'bin', 'bivouac.cjs');

/**
 * The shared corpus next to the repository (../shared in a session, a copy beside CI's
 * clone), or two levels up when the repository is a git worktree in a sibling folder.
 */
export const corpusDir = [join(repoRoot, '..', 'shared'), join(repoRoot, '..', '..', 'shared')]
  .map((d) => join(d, 'corpus', 'nomad-jobs'))
  .find((d) => existsSync(d)) ?? join(repoRoot, '..', 'shared', 'corpus', 'nomad-jobs');

/**
 * A fresh temp dir, traversable but not listable by others: an rkt app runs as nobody and the
 * stand-in has no rootfs, so it reaches a test's files by their host paths.
 */
export function makeTestDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(dir, 0o711);
  return dir;
}

/**
 * A copy of test/fixtures/children in `root`, for tasks that run as nobody: the checkout may
 * sit where nobody cannot reach it (root cloning into /root, mode 0700).
 */
export function reachableChildren(root: string): string {
  const dir = join(root, 'children');
  cpSync(join(fixturesDir, 'children'), dir, { recursive: true });
  chmodSync(dir, 0o755);
  return dir;
}
