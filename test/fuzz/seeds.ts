import { join } from 'node:path';
import { corpusDir, fixturesDir, repoRoot } from '../helpers/paths.js';
import { loadSeeds } from './mutate.js';

/** Where kept crashers live (in the source tree, not dist/). */
export const crasherDir = join(fixturesDir, 'fuzz', 'crashers');

/** The fuzzer's seeds: the corpus, the project's own job files and fixtures, and hand-written seeds. */
export function defaultSeeds(): { file: string; bytes: Buffer }[] {
  return loadSeeds([corpusDir, join(repoRoot, 'jobs'), join(fixturesDir, 'jobspec'), join(fixturesDir, 'fuzz', 'seeds')]);
}
