/**
 * Huge inputs: a job file over 1 MiB is refused unread; 2,000 tiny job files are handled
 * with bounded memory; a 10,000-deep nesting file is a file error, not a crash.
 *
 * The memory bound: the agent's peak RSS (VmHWM) with one job is its baseline (node, the
 * HCL WebAssembly module, SQLite), measured here rather than assumed. 2,000 tiny jobs add
 * 2,000 decoded jobs and versions of a few KB each (≈ 10 MB even at 5 KB apiece), so a
 * growth over the baseline above 200 MiB means something holds whole files or parse trees
 * per file, or reads them whole — it is 20× what the data needs, and far below the 1 MiB ×
 * 2,000 = 2 GB an unbounded reader would reach.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sandboxes, startAgent, waitFor, type RunningAgent } from '../helpers/agent.js';
import { fileErrorFiles, waitFullPass } from '../fuzz/agent-fuzz.js';
import { cli } from '../helpers/agent.js';

function vmHwmKiB(pid: number): number {
  const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error('no VmHWM');
  return Number(m[1]);
}

/** Tiny and valid, but for a driver this node lacks: parsed, versioned, never run. */
const tiny = (i: number): string => `job "t${i}" {\n  group "g" {\n    task "t" {\n      driver = "docker"\n      config {\n        image = "x"\n      }\n    }\n  }\n}\n`;

const alive = (a: RunningAgent): boolean => a.proc.exitCode === null && a.proc.signalCode === null;

describe('huge inputs', () => {
  const box = sandboxes('bivouac-lim-');

  test('a job file over 1 MiB is a file error naming the limit; a 10,000-deep nesting file is a file error; the agent lives', { timeout: 300_000 }, async () => {
    const sb = box();
    const agent = startAgent(sb);
    try {
      await waitFor('first pass', () => agent.output().includes('"msg":"pass complete"'), 60_000);
      writeFileSync(join(sb.jobsDir, 'big.nomad'), `job "big" {\n  meta {\n    x = "${'a'.repeat(1024 * 1024 + 10)}"\n  }\n}\n`);
      writeFileSync(join(sb.jobsDir, 'deep.nomad'), `job "deep" {\n  meta {\n    x = ${'['.repeat(10_000)}${']'.repeat(10_000)}\n  }\n  ${'group "g" { '.repeat(10_000)}${'} '.repeat(10_000)}\n}\n`);
      await waitFor('both file errors', () => {
        const e = fileErrorFiles(sb.dataDir);
        return (e.has('big.nomad') && e.has('deep.nomad')) || !alive(agent);
      }, 120_000);
      assert.ok(alive(agent), agent.output().slice(-2000));
      assert.match(cli(['status', '--data-dir', sb.dataDir]).stdout, /big\.nomad.*limited to 1048576 bytes/);
    } finally {
      await agent.stop();
    }
  });

  test('2,000 tiny job files: all taken in, agent peak RSS grows by under 200 MiB over its one-job baseline', { timeout: 600_000 }, async (t) => {
    const sb = box();
    const agent = startAgent(sb);
    try {
      sb.writeJob('t0.nomad', tiny(0));
      await waitFor('first job recorded', () => cli(['status', '--json', '--data-dir', sb.dataDir]).stdout.includes('"t0"'), 60_000);
      await waitFullPass(agent);
      const pid = agent.proc.pid as number;
      const baseline = vmHwmKiB(pid);
      for (let i = 1; i < 2000; i++) writeFileSync(join(sb.jobsDir, `t${i}.nomad`), tiny(i));
      await waitFor('2,000 jobs recorded', () => {
        const r = cli(['status', '--json', '--data-dir', sb.dataDir]);
        return (r.code === 0 && (JSON.parse(r.stdout) as unknown[]).length === 2000) || !alive(agent);
      }, 300_000, 1000);
      await waitFullPass(agent, 300_000);
      assert.ok(alive(agent), agent.output().slice(-2000));
      const peak = vmHwmKiB(pid);
      const growthMiB = (peak - baseline) / 1024;
      t.diagnostic(`VmHWM baseline ${Math.round(baseline / 1024)} MiB, after 2,000 files ${Math.round(peak / 1024)} MiB`);
      assert.ok(growthMiB < 200, `peak RSS ${Math.round(peak / 1024)} MiB, baseline ${Math.round(baseline / 1024)} MiB: grew ${growthMiB.toFixed(0)} MiB`);
    } finally {
      await agent.stop();
    }
  });
});
