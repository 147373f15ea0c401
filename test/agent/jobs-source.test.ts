import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JobsSource, type JobParser } from '../../src/agent/jobs-source.js';
import { parseJobFile, canonicalHash, formatDiagnostic } from '../../src/jobspec/index.js';
import { silentLogger } from '../../src/util/logger.js';

const jobText = (id: string, cmd = '/bin/true'): string => `job "${id}" {
  group "g" {
    task "t" {
      driver = "raw_exec"
      config {
        command = "${cmd}"
      }
    }
  }
}
`;

/** The real parser, counting the files it is handed: what a listing read and parsed again. */
function countingParser(): JobParser & { parsed: string[] } {
  const parsed: string[] = [];
  return {
    parsed,
    parse: (file, text) => {
      parsed.push(file);
      return parseJobFile(file, text);
    },
    hash: canonicalHash,
    format: formatDiagnostic,
  };
}

const ids = (snap: Awaited<ReturnType<JobsSource['list']>>): string[] =>
  [...snap.files].map(([name, r]) => `${name}=${r.kind === 'job' ? r.job.id : 'error'}`);

describe('JobsSource: a watch event looks at the files it names only', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bivouac-jobs-source-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const log = silentLogger;

  test('named files are read again, the others keep the last full listing, and the full listing sees everything', async () => {
    writeFileSync(join(dir, 'a.nomad'), jobText('a'));
    writeFileSync(join(dir, 'b.nomad'), jobText('b'));
    const parser = countingParser();
    const src = new JobsSource(dir, parser, log);
    assert.deepEqual(ids(await src.list()), ['a.nomad=a', 'b.nomad=b']);
    assert.deepEqual(parser.parsed.sort(), ['a.nomad', 'b.nomad']);

    // A new file, named by its event: read and parsed; nothing else is.
    parser.parsed.length = 0;
    writeFileSync(join(dir, 'c.nomad'), jobText('c'));
    // b changes without an event reaching us (a missed event): the named listing keeps b's last result.
    writeFileSync(join(dir, 'b.nomad'), jobText('b2'));
    assert.deepEqual(ids(await src.list(new Set(['c.nomad']))), ['a.nomad=a', 'b.nomad=b', 'c.nomad=c']);
    assert.deepEqual(parser.parsed, ['c.nomad']);

    // The periodic full listing catches what the events missed.
    parser.parsed.length = 0;
    assert.deepEqual(ids(await src.list()), ['a.nomad=a', 'b.nomad=b2', 'c.nomad=c']);
    assert.deepEqual(parser.parsed, ['b.nomad']);
  });

  test('a named file that is gone leaves the snapshot; a rename is two names', async () => {
    const parser = countingParser();
    const src = new JobsSource(dir, parser, log);
    await src.list();
    unlinkSync(join(dir, 'c.nomad'));
    renameSync(join(dir, 'a.nomad'), join(dir, 'z.nomad'));
    parser.parsed.length = 0;
    const snap = await src.list(new Set(['c.nomad', 'a.nomad', 'z.nomad']));
    assert.equal(snap.complete, true);
    assert.deepEqual(ids(snap), ['b.nomad=b2', 'z.nomad=a']);
    assert.deepEqual(parser.parsed, ['z.nomad']);
    // Not a job file name (an editor's swap file): never listed.
    writeFileSync(join(dir, '.z.nomad.swp'), 'x');
    assert.deepEqual(ids(await src.list(new Set(['.z.nomad.swp']))), ['b.nomad=b2', 'z.nomad=a']);
  });

  test('before any full listing, a named listing lists the whole directory', async () => {
    const parser = countingParser();
    const src = new JobsSource(dir, parser, log);
    assert.deepEqual(ids(await src.list(new Set(['z.nomad']))), ['b.nomad=b2', 'z.nomad=a']);
    assert.deepEqual(parser.parsed.sort(), ['b.nomad', 'z.nomad']);
  });

  test('a half-written named file is not cached: the next event for it reads it whole', async () => {
    const parser = countingParser();
    const src = new JobsSource(dir, parser, log);
    await src.list();
    const full = jobText('h');
    writeFileSync(join(dir, 'h.nomad'), full.slice(0, 40));
    const first = (await src.list(new Set(['h.nomad']))).files.get('h.nomad');
    assert.equal(first?.kind, 'error');
    writeFileSync(join(dir, 'h.nomad'), full);
    const second = (await src.list(new Set(['h.nomad']))).files.get('h.nomad');
    assert.equal(second?.kind === 'job' ? second.job.id : second?.kind, 'h');
  });
});
