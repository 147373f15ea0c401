/**
 * Hostile job files through the running agent: batches of mutants the parser rejects are
 * dropped into the jobs dir beside a healthy job. After each batch the agent must be alive,
 * `bivouac status` must list a file error for every one of them, and the healthy job must
 * keep its allocation and its process. A batch that takes the agent down is kept as crashers.
 */
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, jobStatus, sandbox, startAgent, taskLeaderPids, waitFor, waitPassSince, type RunningAgent } from '../helpers/agent.js';
import { makeRng } from '../torture/rng.js';
import { mutate, type Mutant } from './mutate.js';
import { HANG_MS, ParserHost, saveCrasher } from './parse-fuzz.js';

export interface AgentFuzzOptions {
  readonly inputs: number;
  readonly seed: number;
  readonly seeds: readonly { file: string; bytes: Buffer }[];
  readonly crasherDir: string | null;
  readonly batchSize?: number;
  readonly log?: (line: string) => void;
}

export interface AgentFuzzReport {
  readonly filesDropped: number;
  readonly batches: number;
  readonly fileErrorsShown: number;
  readonly healthyUntouched: boolean;
  readonly agentCrashes: number;
  readonly problems: readonly string[];
}

export const HEALTHY_JOB = `job "healthy" {
  group "g" {
    task "t" {
      driver = "raw_exec"
      config {
        command = "/bin/sh"
        args = ["-c", "exec sleep 600"]
      }
      resources {
        cpu = 20
        memory = 16
      }
    }
  }
}
`;

/** Waits until a pass that began after now has finished. */
export async function waitFullPass(a: RunningAgent, timeoutMs = 60_000): Promise<void> {
  await waitPassSince(a, Date.now(), timeoutMs);
}

/** The "Job File Errors" table of `bivouac status`, as the set of files it names. */
export function fileErrorFiles(dataDir: string): Set<string> {
  const out = cli(['status', '--data-dir', dataDir]).stdout;
  const at = out.indexOf('\nJob File Errors\n');
  if (at < 0) return new Set();
  const rows = out.slice(at).split('\n').slice(3);
  return new Set(rows.map((r) => r.split(/\s+/)[0]).filter((f) => f !== ''));
}

export async function fuzzAgent(opts: AgentFuzzOptions): Promise<AgentFuzzReport> {
  const log = opts.log ?? (() => undefined);
  const batchSize = opts.batchSize ?? 25;
  const rng = makeRng(opts.seed ^ 0x5eed);
  const donors = opts.seeds.map((s) => s.bytes);
  const host = new ParserHost(HANG_MS);
  const sb = sandbox('bivouac-fuzz-');
  const problems: string[] = [];
  let agent = startAgent(sb);
  let dropped = 0;
  let batches = 0;
  let shown = 0;
  let crashes = 0;
  let healthyUntouched = true;
  try {
    sb.writeJob('healthy.nomad', HEALTHY_JOB);
    const alloc = await waitFor('healthy running', () => jobStatus(sb, 'healthy')?.Allocations.find((a) => a.ClientStatus === 'running'), 60_000);
    const pids = await waitFor('healthy process', () => (taskLeaderPids(alloc.ID).length === 1 ? taskLeaderPids(alloc.ID) : null));
    while (dropped < opts.inputs) {
      // Mutants the parser rejects: each must become a file error, never a job.
      const batch: { name: string; m: Mutant }[] = [];
      while (batch.length < Math.min(batchSize, opts.inputs - dropped)) {
        const s = opts.seeds[rng.int(opts.seeds.length)];
        const m = mutate(s.file, s.bytes, (rng.next() * 2 ** 32) >>> 0, donors);
        const v = await host.parse('x.nomad', m.bytes);
        // Only mutants with a verdict of rejection. A file on which the parser ran out of time
        // here (or gave no verdict at all) may well parse in the agent and become a job.
        if (!v.ok || v.accepted || v.noAnswer) continue;
        batch.push({ name: `fz-${dropped + batch.length}.nomad`, m });
      }
      // Raw bytes (invalid UTF-8 included), written aside and renamed in like sb.writeJob.
      for (const b of batch) writeRaw(sb.jobsDir, b.name, b.m.bytes);
      dropped += batch.length;
      batches++;
      await waitFullPass(agent);
      if (agent.proc.exitCode !== null || agent.proc.signalCode !== null) {
        crashes++;
        problems.push(`batch ${batches}: agent died (${agent.proc.exitCode ?? agent.proc.signalCode}): ${agent.output().slice(-1500)}`);
        if (opts.crasherDir) for (const b of batch) saveCrasher(opts.crasherDir, b.m, { ok: false, kind: 'worker-crash', message: `agent died during this batch` });
        agent = startAgent(sb);
        await waitFullPass(agent);
      }
      const errs = fileErrorFiles(sb.dataDir);
      const missing = batch.filter((b) => !errs.has(b.name));
      shown += batch.length - missing.length;
      if (missing.length > 0) problems.push(`batch ${batches}: no file error shown for ${missing.map((b) => `${b.name} (${b.m.mutations.join('+')} of ${b.m.seedFile})`).join(', ')}`);
      const now = jobStatus(sb, 'healthy')?.Allocations.find((a) => a.ClientStatus === 'running');
      const nowPids = taskLeaderPids(alloc.ID);
      if (now?.ID !== alloc.ID || nowPids.join() !== pids.join()) {
        healthyUntouched = false;
        problems.push(`batch ${batches}: healthy job moved: alloc ${now?.ID ?? 'none'} (was ${alloc.ID}), pids [${nowPids.join()}] (were [${pids.join()}])`);
      }
      for (const b of batch) sb.removeJob(b.name);
      log(`agent batch ${batches}: ${batch.length} files, ${batch.length - missing.length} file errors shown`);
    }
    await waitFullPass(agent);
    const left = [...fileErrorFiles(sb.dataDir)].filter((f) => f.startsWith('fz-'));
    if (left.length > 0) problems.push(`file errors outlived their files: ${left.slice(0, 5).join(', ')}`);
  } finally {
    await host.close();
    if (agent.proc.exitCode === null && agent.proc.signalCode === null) await agent.stop();
    sb.cleanup();
  }
  return { filesDropped: dropped, batches, fileErrorsShown: shown, healthyUntouched, agentCrashes: crashes, problems };
}

function writeRaw(dir: string, name: string, bytes: Buffer): void {
  const tmp = join(dir, `.${name}.tmp`);
  writeFileSync(tmp, bytes);
  renameSync(tmp, join(dir, name));
}
