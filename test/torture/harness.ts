/**
 * Crash torture: the real agent under job churn, SIGKILLed at seeded random moments and
 * restarted, with the invariants of invariants.ts checked after every restart once the new
 * agent has done a pass. Used by test/torture/torture.test.ts (short form) and
 * bench/torture.ts (the long form, 200 kills).
 */
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { sandbox, startAgent, unmountUnder, waitFor, type RunningAgent, type Sandbox } from '../helpers/agent.js';
import { makeRng, type Rng } from './rng.js';
import { randomJob, renderBroken, renderJob, type JobSpec } from './jobs.js';
import { allocDirs, killAll, markedProcesses } from './procs.js';
import { History, checkLive, readDb, type DbSnap, type Violation } from './invariants.js';
import { checkCgroups } from './cgroups.js';

export interface TortureOptions {
  readonly kills: number;
  readonly seed: number;
  /** Job file slots churned through (j0.nomad …). */
  readonly slots?: number;
  /** How long the DB and /proc may take to agree after a restart before a mismatch is a violation. */
  readonly settleMs?: number;
  /** Progress lines. */
  readonly log?: (line: string) => void;
  /** How long a mismatch about the same task attempt or pid must last to count (crash loops make short ones). */
  readonly persistMs?: number;
  /** Keep the sandbox (and its agent stopped) when a violation was found, for a post-mortem. */
  readonly keepOnViolation?: boolean;
}

export interface RoundViolation extends Violation {
  readonly round: number;
  readonly seed: number;
}

export interface TortureReport {
  readonly seed: number;
  readonly killsRequested: number;
  /** Kills after which the agent came back, did a pass and the invariants were checked. */
  readonly killsSurvived: number;
  readonly churnSteps: number;
  readonly violations: readonly RoundViolation[];
  readonly allocsSeen: number;
  readonly terminalAllocsSeen: number;
  readonly eventsSeen: number;
  /** Kill delays after the last churn step, ms: how the kills were spread. */
  readonly killDelays: { readonly min: number; readonly median: number; readonly max: number };
  readonly durationMs: number;
  /** Mismatches seen once and gone by the next read (a task between exit and its record). */
  readonly transientMismatches: number;
  /** Set when the sandbox was kept. */
  readonly keptAt: string | null;
}

type Slot = { readonly file: string; readonly id: string; state: 'absent' | 'good' | 'broken'; spec: JobSpec | null };

const passCount = (agent: RunningAgent): number => agent.output().split('"msg":"pass complete"').length - 1;

/** One churn step on one slot: add, change, break, remove or rewrite identically. */
function churn(sb: Sandbox, slot: Slot, rng: Rng, mark: () => number): string {
  const r = rng.next();
  if (slot.state === 'absent' || (slot.state === 'broken' && r < 0.6)) {
    slot.spec = randomJob(slot.id, rng, mark());
    slot.state = 'good';
    sb.writeJob(slot.file, renderJob(slot.spec));
    return `add ${slot.id} ${slot.spec.kind}×${slot.spec.count}${slot.spec.pair ? '+u' : ''}`;
  }
  if (r < 0.35 && slot.spec) {
    // Same job, new MARK (destructive update) or a different kind of task.
    slot.spec = rng.chance(0.5) ? { ...slot.spec, mark: mark() } : randomJob(slot.id, rng, mark());
    slot.state = 'good';
    sb.writeJob(slot.file, renderJob(slot.spec));
    return `change ${slot.id} ${slot.spec.kind}×${slot.spec.count}`;
  }
  if (r < 0.55) {
    slot.state = 'broken';
    sb.writeJob(slot.file, renderBroken(slot.id, rng));
    return `break ${slot.id}`;
  }
  if (r < 0.8) {
    slot.state = 'absent';
    sb.removeJob(slot.file);
    return `remove ${slot.id}`;
  }
  if (slot.spec && slot.state === 'good') sb.writeJob(slot.file, renderJob(slot.spec));
  return `touch ${slot.id}`;
}

/**
 * Polls until the DB and /proc agree, judging only reads the DB did not move under. A crash
 * loop keeps some task between "exited" and "recorded" much of the time, so one mismatch
 * proves nothing; a mismatch about the same thing (task attempt, pid) that lasts persistMs
 * does. Returns the persistent violations ([] when a clean read came first or none lasted).
 */
async function settledCheck(dbPath: string, dataDir: string, settleMs: number, persistMs: number): Promise<{ snap: DbSnap; live: Violation[]; transient: number }> {
  const deadline = Date.now() + settleMs;
  const firstSeen = new Map<string, number>();
  let transient = 0;
  for (;;) {
    const before = readDb(dbPath, false);
    const procs = markedProcesses(allocDirs(dataDir));
    const after = readDb(dbPath, false);
    {
      const live = [...checkLive(before, after, procs), ...checkCgroups(before, after, procs, dataDir)];
      if (live.length === 0) return { snap: readDb(dbPath, true), live: [], transient };
      const now = Date.now();
      const keys = new Set(live.map((v) => v.key ?? v.detail));
      for (const k of firstSeen.keys()) if (!keys.has(k)) firstSeen.delete(k);
      for (const k of keys) if (!firstSeen.has(k)) firstSeen.set(k, now);
      transient++;
      const lasting = live.filter((v) => now - (firstSeen.get(v.key ?? v.detail) ?? now) >= persistMs);
      if (lasting.length > 0) return { snap: readDb(dbPath, true), live: lasting, transient };
    }
    if (Date.now() > deadline) return { snap: readDb(dbPath, true), live: [], transient };
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function runTorture(opts: TortureOptions): Promise<TortureReport> {
  const t0 = Date.now();
  const log = opts.log ?? (() => undefined);
  const settleMs = opts.settleMs ?? 8_000;
  const rng = makeRng(opts.seed);
  const sb = sandbox('bivouac-torture-');
  const dbPath = join(sb.dataDir, 'state.db');
  const slots: Slot[] = Array.from({ length: opts.slots ?? 5 }, (_, i) => ({ file: `j${i}.nomad`, id: `j${i}`, state: 'absent', spec: null }));
  let marks = 0;
  const mark = (): number => ++marks;
  const history = new History();
  const violations: RoundViolation[] = [];
  const delays: number[] = [];
  let churnSteps = 0;
  let killsSurvived = 0;
  let agent: RunningAgent | null = null;
  let expectingExit = false;
  let eventsSeen = 0;
  let transients = 0;
  const reported = new Set<string>();

  const launch = (round: number): RunningAgent => {
    const a = startAgent(sb);
    expectingExit = false;
    a.proc.on('exit', (code, sig) => {
      if (!expectingExit) {
        violations.push({ round, seed: opts.seed, invariant: 'agent', detail: `agent exited by itself (code ${code}, signal ${sig}): ${a.output().slice(-2000)}` });
      }
    });
    return a;
  };

  try {
    agent = launch(0);
    await waitFor('first pass', () => passCount(agent as RunningAgent) >= 1, 60_000);
    for (let round = 1; round <= opts.kills; round++) {
      const steps: string[] = [];
      const n = rng.chance(0.1) ? 0 : 1 + rng.int(3);
      for (let i = 0; i < n; i++) {
        steps.push(churn(sb, rng.pick(slots), rng, mark));
        churnSteps++;
        if (rng.chance(0.3)) await new Promise((r) => setTimeout(r, rng.int(150)));
      }
      const delay = rng.logUniform(2, 1000);
      delays.push(delay);
      await new Promise((r) => setTimeout(r, delay));
      expectingExit = true;
      await agent.kill9();
      const tRestart = Date.now();
      agent = launch(round);
      const dead = (): boolean => agent?.proc.exitCode !== null || agent?.proc.signalCode !== null;
      await waitFor(`a pass after restart ${round}`, () => passCount(agent as RunningAgent) >= 1 || dead(), 60_000);
      if (dead()) break;
      const tPass = Date.now();
      const { snap, live, transient } = await settledCheck(dbPath, sb.dataDir, settleMs, opts.persistMs ?? 3000);
      transients += transient;
      const found = [...live, ...history.check(snap)];
      history.record(snap);
      eventsSeen = [...snap.allocs.values()].reduce((s, a) => s + a.events.length, 0);
      // The same stuck row is reported once, at the round it first appeared.
      const fresh = found.filter((v) => !reported.has(`${v.invariant}:${v.key ?? v.detail}`));
      for (const v of fresh) {
        reported.add(`${v.invariant}:${v.key ?? v.detail}`);
        violations.push({ ...v, round, seed: opts.seed });
      }
      killsSurvived++;
      log(`round ${round}: [${steps.join('; ')}] kill after ${delay} ms; allocs ${snap.allocs.size}, events ${eventsSeen}, transient ${transient}; pass after ${tPass - tRestart} ms, settled in ${Date.now() - tPass} ms${found.length ? `; ${found.length} VIOLATION(S): ${found.map((v) => `${v.invariant}: ${v.detail}`).join(' | ')}` : ''}`);
    }
  } finally {
    if (agent) {
      expectingExit = true;
      if (agent.proc.exitCode === null && agent.proc.signalCode === null) await agent.stop();
    }
  }
  const keep = opts.keepOnViolation === true && violations.length > 0;
  // Our own tasks only: processes whose marker names an allocation under this sandbox.
  killAll(markedProcesses(allocDirs(sb.dataDir)));
  if (!keep) sb.cleanup();
  else unmountUnder(sb.root); // A kept sandbox is for reading: no mount of ours stays behind.
  const sorted = [...delays].sort((x, y) => x - y);
  return {
    seed: opts.seed,
    killsRequested: opts.kills,
    killsSurvived,
    churnSteps,
    violations,
    allocsSeen: history.allocCount,
    terminalAllocsSeen: history.terminalCount,
    eventsSeen,
    killDelays: { min: sorted[0] ?? 0, median: sorted[Math.floor(sorted.length / 2)] ?? 0, max: sorted.at(-1) ?? 0 },
    durationMs: Date.now() - t0,
    transientMismatches: transients,
    keptAt: keep && existsSync(sb.root) ? sb.root : null,
  };
}
