import type { FileErrorRecord } from '../state/index.js';
import { formatTable } from '../cli/format.js';
import { LIST_HEADER } from './job-list.js';

/**
 * `bivouac status`'s job list from its cells (listJobCells straight from the state, or
 * jobListCells of JobStubs), then the job files that do not parse. Apart from the other
 * layouts (render-jobs.ts), so the list's bundle loads only this.
 */
export function renderJobTable(rows: readonly (readonly string[])[], errors: readonly FileErrorRecord[]): string {
  return renderJobListTable(rows.length === 0 ? '' : formatTable(LIST_HEADER, rows), errors);
}

/** The same from the list's table as jobListTable lays it out ('' when there is no job). */
export function renderJobListTable(table: string, errors: readonly FileErrorRecord[]): string {
  let out = table === '' ? 'No running jobs\n' : table;
  if (errors.length > 0) {
    out += '\nJob File Errors\n';
    out += formatTable(['File', 'Job ID', 'Error'], errors.map((e) => [e.file, e.jobId ?? '<none>', oneLine(e.message)]));
  }
  return out;
}

/** A multi-line message on one line, as the tables print it. */
export function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ');
}
