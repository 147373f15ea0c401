import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JobsSource, type JobParser } from '../../src/agent/jobs-source.js';
import { parseJobFile, canonicalHash, formatDiagnostic } from '../../src/jobspec/index.js';
import { makeDiagnostic } from '../../src/jobspec/diagnostics.js';
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

describe('JobsSource: a parser that gave no answer is asked again', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bivouac-jobs-source-retry-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('a good file the parser timed out on becomes its job at the next full listing after the retry time, with a backoff per failure', async () => {
    writeFileSync(join(dir, 'slow.nomad'), jobText('slow'));
    const real = countingParser();
    let silent = 2; // the parser gives no answer on its first two calls, as under heavy load
    const parser: JobParser = {
      ...real,
      parse: (file, text) => {
        if (silent-- > 0) return Promise.resolve({ job: null, diagnostics: [makeDiagnostic('PARSER_LIMIT', { detail: 'the HCL parser gave no answer within 5000 ms' }, '', { file, line: 0, column: 0 })] });
        return real.parse(file, text);
      },
    };
    let now = 1_000_000;
    const src = new JobsSource(dir, parser, silentLogger, () => now);
    const kind = async (): Promise<string> => {
      const r = (await src.list()).files.get('slow.nomad');
      return r?.kind === 'job' ? r.job.id : `${r?.kind}:${r?.kind === 'error' ? r.message : ''}`;
    };
    assert.match(await kind(), /^error:.*gave no answer/);
    now += 9_999;
    assert.match(await kind(), /^error:/, 'not asked again before the first retry time (10 s)');
    assert.deepEqual(real.parsed, []);
    now += 1;
    assert.match(await kind(), /^error:/, 'asked again: no answer a second time');
    now += 19_999;
    assert.match(await kind(), /^error:/, 'the second retry waits twice as long');
    now += 1;
    assert.equal(await kind(), 'slow');
    assert.deepEqual(real.parsed, ['slow.nomad']);
    now += 3_600_000;
    assert.equal(await kind(), 'slow');
    assert.deepEqual(real.parsed, ['slow.nomad'], 'a verdict is cached as before');
  });
});

describe('JobsSource: a listing of many new files takes turns of the event loop', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bivouac-jobs-source-turns-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('200 files parsed in this thread, each holding it ≥ 1 ms: the loop turns many times during the listing, and every file is read', async () => {
    for (let i = 0; i < 200; i++) writeFileSync(join(dir, `j${String(i).padStart(3, '0')}.nomad`), jobText(`j${i}`));
    // The plain-HCL2 fast path parses in this thread and resolves without a wait; a parser
    // that holds the thread for a millisecond a file makes the listing's work ≥ 200 ms on any machine.
    const real = countingParser();
    const parser: JobParser = {
      ...real,
      parse: (file, text) => {
        const until = performance.now() + 1;
        while (performance.now() < until);
        return real.parse(file, text);
      },
    };
    const src = new JobsSource(dir, parser, silentLogger);
    let turns = 0;
    let ticking = true;
    const tick = (): void => {
      turns++;
      if (ticking) setImmediate(tick);
    };
    setImmediate(tick);
    const snap = await src.list();
    ticking = false;
    assert.equal(snap.files.size, 200);
    assert.ok([...snap.files.values()].every((r) => r.kind === 'job'));
    // A 5 ms budget gives ~40 turns in 200 ms of work; one stretch would give 1–2 (the readdir's).
    assert.ok(turns >= 10, `the loop turned ${turns} times while 200 files were parsed`);
  });
});
