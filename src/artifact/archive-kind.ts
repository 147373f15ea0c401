/**
 * Which archive a source is, as go-getter decides: the `archive` option names it (or
 * `false` turns unpacking off), else the path's extension. Formats Node cannot read without
 * a new dependency (bzip2, xz) are refused by name rather than saved packed in silence.
 */
import { artifactError } from './errors.js';
import type { ArchiveKind } from './types.js';

const BY_NAME: Readonly<Record<string, ArchiveKind>> = { 'tar.gz': 'tar.gz', tgz: 'tar.gz', tar: 'tar', zip: 'zip', gz: 'gz' };
const REFUSED = ['tar.bz2', 'tbz2', 'tar.xz', 'txz', 'bz2', 'xz', 'tar.zst', 'zst'];

/** null: not an archive (or unpacking is off), so the file is saved as it is. */
export function archiveKind(path: string, archiveOption: string | undefined): ArchiveKind | null {
  if (archiveOption !== undefined) {
    const o = archiveOption.toLowerCase();
    if (o === 'false' || o === '') return null;
    const k = BY_NAME[o];
    if (k !== undefined) return k;
    throw artifactError(`archive type "${archiveOption}" is not supported by bivouac (tar.gz, tgz, tar, zip, gz; or archive = "false")`);
  }
  const lower = path.toLowerCase();
  for (const ext of REFUSED) {
    if (lower.endsWith(`.${ext}`)) throw artifactError(`archive type "${ext}" is not supported by bivouac (tar.gz, tgz, tar, zip, gz); set options { archive = "false" } to keep it packed`);
  }
  for (const ext of ['tar.gz', 'tgz', 'tar', 'zip', 'gz']) if (lower.endsWith(`.${ext}`)) return BY_NAME[ext] ?? null;
  return null;
}
