/**
 * Where an idle agent's memory is (issue 14): for each task count, an agent with that many
 * running raw_exec `sleep` tasks, settled, then /proc/<pid>/smaps_rollup of the agent process
 * alone (its threads share one address space: the API thread is inside this figure) and of
 * each helper process it started (spawner, parser) beside it, never summed into the agent's.
 * A bare `node` that only keeps a timer is the floor, measured in the same run.
 *   npm run build && node dist/bench/idle-memory.js [--json] [--tasks 0,100,1000] [--settle-s 20]
 * Targets: agent RSS ≤ 100 MB with 100 tasks, ≤ 160 MB with 1,000.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { sandbox } from '../test/helpers/agent.js';
import { cleanupSandbox, loadNow, machine, runAllStaged, sleepMs, startBenchAgent } from './agent-common.js';

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}
const json = process.argv.includes('--json');
const counts = option('tasks', '0,100,1000').split(',').map(Number);
const settleS = Number(option('settle-s', '20'));
const timeoutMs = Number(option('timeout-ms', '600000'));

interface Rollup {
  readonly rssMB: number;
  readonly anonMB: number;
  readonly fileMB: number;
}

function rollup(pid: number): Rollup {
  const text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  const mb = (key: string): number => Math.round(Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN) / 102.4) / 10;
  return { rssMB: mb('Rss'), anonMB: mb('Anonymous'), fileMB: mb('Rss') - mb('Anonymous') };
}

/** Direct children of pid that are node processes: the agent's helpers (tasks run under the spawner). */
function helpers(pid: number): { readonly pid: number; readonly what: string; readonly mem: Rollup }[] {
  const out: { pid: number; what: string; mem: Rollup }[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== pid) continue;
      const argv = readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0');
      if (!argv[0].endsWith('node')) continue;
      out.push({ pid: Number(d), what: (argv[1] ?? '').split('/').pop() ?? '', mem: rollup(Number(d)) });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

const results = [];
for (const n of counts) {
  const sb = sandbox('bivouac-bench-idlemem-');
  const agent = startBenchAgent(sb);
  const floor = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  try {
    const ids = Array.from({ length: n }, (_, i) => `idle-${String(i).padStart(4, '0')}`);
    (await runAllStaged(sb, agent, ids, timeoutMs)).db.close();
    await sleepMs(settleS * 1000);
    const r = { tasks: n, agent: rollup(agent.pid), helpers: helpers(agent.pid), floor: rollup(floor.pid ?? 0), load: loadNow() };
    results.push(r);
    if (!json) {
      console.log(`${n} tasks: agent alone ${r.agent.rssMB} MB RSS (anon ${r.agent.anonMB}, file ${r.agent.fileMB}); floor (bare node) ${r.floor.rssMB} MB; load ${r.load}`);
      for (const h of r.helpers) console.log(`  helper ${h.what} (pid ${h.pid}): ${h.mem.rssMB} MB RSS (anon ${h.mem.anonMB}), not in the agent's figure`);
      const agentPlus = r.agent.rssMB + r.helpers.reduce((s, h) => s + h.mem.rssMB, 0);
      console.log(`  agent + helpers: ${Math.round(agentPlus * 10) / 10} MB RSS (shared file pages counted in each)`);
    }
  } finally {
    floor.kill('SIGKILL');
    await agent.stop('SIGTERM');
    cleanupSandbox(sb);
  }
}
if (json) console.log(JSON.stringify({ settleS, results, machine: machine() }, null, 2));
