/**
 * Artifact fetch throughput and memory: a 200 MB file and a 64 MB .tar.gz (256 files)
 * through fetchArtifact from a local HTTP server in this process, against floors measured
 * in the same run: the same bytes through Node's fetch into /dev/null, and `tar xzf` of the
 * same archive. Prints medians over runs, the ratios, and the growth of this process's RSS.
 *   npx tsc -p . && node dist/bench/artifact.js [--json] [--runs N]
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { gzipSync } from 'node:zlib';
import { fetchArtifact } from '../src/artifact/index.js';
import { makeTar } from '../test/helpers/archives.js';
import { startServer } from '../test/helpers/http-server.js';

const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg >= 0 ? Number(process.argv[runsArg + 1]) : 5;
const BIG = 200 * 1024 * 1024;
const rssMB = (): number => Number(/VmRSS:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]) / 1024;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const server = await startServer();
  const root = mkdtempSync(join(tmpdir(), 'bivouac-bench-art-'));
  const files = Array.from({ length: 256 }, (_, i) => ({ name: `d${i % 16}/f${i}.bin`, data: Buffer.alloc(256 * 1024, i % 251) }));
  const tgz = gzipSync(makeTar(files), { level: 1 });
  server.route('/big.bin', { size: BIG, chunk: Buffer.alloc(1024 * 1024, 7) });
  server.route('/a.tar.gz', tgz);
  writeFileSync(join(root, 'a.tar.gz'), tgz);
  const limits = { httpReadTimeoutMs: 600_000, httpMaxBytes: 1e10, allowedLocalDirs: [] };
  const baseRss = rssMB();
  let peakRss = baseRss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, rssMB())), 10);
  const t = { fetchFile: [] as number[], floorFetch: [] as number[], unpack: [] as number[], floorTar: [] as number[] };
  try {
    for (let r = 0; r < RUNS; r++) {
      const task = join(root, `t${r}`);
      mkdirSync(join(task, 'local'), { recursive: true });
      let s = performance.now();
      await fetchArtifact({ source: `${server.url}/big.bin`, destination: 'local/', mode: 'any', options: {}, headers: {} }, { taskDir: task, scratchDir: root, limits, signal: new AbortController().signal });
      t.fetchFile.push(performance.now() - s);
      s = performance.now();
      const res = await fetch(`${server.url}/big.bin`);
      await pipeline(Readable.fromWeb(res.body as WebReadableStream<Uint8Array>), new Writable({ write: (_c, _e, cb) => cb() }));
      t.floorFetch.push(performance.now() - s);
      s = performance.now();
      await fetchArtifact({ source: `${server.url}/a.tar.gz`, destination: 'local/x', mode: 'any', options: {}, headers: {} }, { taskDir: task, scratchDir: root, limits, signal: new AbortController().signal });
      t.unpack.push(performance.now() - s);
      const tarDir = join(root, `tar${r}`);
      mkdirSync(tarDir);
      s = performance.now();
      execFileSync('tar', ['xzf', join(root, 'a.tar.gz'), '-C', tarDir]);
      t.floorTar.push(performance.now() - s);
      rmSync(task, { recursive: true, force: true });
      rmSync(tarDir, { recursive: true, force: true });
    }
  } finally {
    clearInterval(sampler);
    await server.close();
    rmSync(root, { recursive: true, force: true });
  }
  const out = {
    runs: RUNS,
    file200MB: { medianMs: median(t.fetchFile), MBps: (BIG / 1048576) / (median(t.fetchFile) / 1000), floorMs: median(t.floorFetch), ratio: median(t.fetchFile) / median(t.floorFetch) },
    tgz64MB: { medianMs: median(t.unpack), floorTarMs: median(t.floorTar), ratio: median(t.unpack) / median(t.floorTar) },
    rssMB: { base: baseRss, peak: peakRss, growth: peakRss - baseRss },
  };
  if (process.argv.includes('--json')) console.log(JSON.stringify(out));
  else {
    console.log(`200 MB file via fetchArtifact: median ${out.file200MB.medianMs.toFixed(0)} ms (${out.file200MB.MBps.toFixed(0)} MB/s); floor fetch→/dev/null ${out.file200MB.floorMs.toFixed(0)} ms; ×${out.file200MB.ratio.toFixed(2)}`);
    console.log(`64 MB .tar.gz (256 files) fetched + unpacked: median ${out.tgz64MB.medianMs.toFixed(0)} ms; floor tar xzf ${out.tgz64MB.floorTarMs.toFixed(0)} ms; ×${out.tgz64MB.ratio.toFixed(2)}`);
    console.log(`process RSS (server + client): base ${out.rssMB.base.toFixed(0)} MB, peak ${out.rssMB.peak.toFixed(0)} MB, growth ${out.rssMB.growth.toFixed(0)} MB over ${RUNS} runs`);
  }
}

await main();
