import type { Command } from './io.js';
import { flagBool, flagString, parseArgs } from './args.js';
import { allocOrReport, dataDirOf, openReadonly } from './common.js';
import { BivouacError } from '../src/util/errors.js';
import { getCurrentJobVersion, getJobVersion, listTaskStates } from '../src/state/index.js';
import { allocDirPaths } from '../src/runner/taskdir.js';
import { followLogs, readLogs } from '../src/runner/logs-read.js';

const FLAGS = { 'data-dir': 'string', stderr: 'bool', f: 'bool', tail: 'bool', n: 'string', c: 'string', task: 'string', help: 'bool' } as const;
const USAGE = `Usage: bivouac alloc logs [options] <allocation> <task>

  Streams the stdout/stderr of the given allocation and task, across its rotated
  log files. The task may be left out when the group has one task.

Logs Specific Options:

  -stderr
    Display stderr logs.

  -task <task-name>
    Sets the task to view the logs. Wins over the <task> argument.

  -f
    Causes the output to not stop, and instead wait for additional output.

  -tail
    Show the logs contents with offsets relative to the end of the logs. If no
    offset is given, -n is defaulted to 10.

  -n
    Sets the tail location in best-efforted number of lines relative to the end
    of the logs.

  -c
    Sets the tail location in number of bytes relative to the end of the logs.

  -data-dir <dir>
    The agent's data directory (env BIVOUAC_DATA_DIR; default .bivouac).
`;

/**
 * `bivouac alloc logs`: the task's raw stdout (or stderr), concatenated across rotated
 * files; `-tail` keeps the last 10 lines (or `-n`), `-f` follows. As Nomad's, the task may
 * be left out when the group has one task, and `-task` wins over the positional.
 */
export const allocLogsCommand: Command = async (argv, io) => {
  const args = parseArgs(argv, FLAGS);
  if (flagBool(args, 'help')) {
    io.stdout.write(USAGE);
    return 0;
  }
  if (args.positional.length < 1 || args.positional.length > 2) {
    io.stderr.write(USAGE);
    return 1;
  }
  const db = await openReadonly(args, io);
  let logsDir: string;
  let task: string;
  try {
    const alloc = allocOrReport(db, args.positional[0], io, 'Alloc ID');
    if (alloc === null) return 1;
    const tasks = listTaskStates(db, alloc.id).map((t) => t.task);
    const wanted = flagString(args, 'task') ?? args.positional[1];
    if (wanted === undefined) {
      if (tasks.length !== 1) throw new BivouacError('USAGE', `allocation ${alloc.id.slice(0, 8)} has ${tasks.length} tasks (${tasks.join(', ')}): name one`);
      task = tasks[0];
    } else if (!tasks.includes(wanted)) {
      throw new BivouacError('NOT_FOUND', `allocation ${alloc.id.slice(0, 8)} has no task "${wanted}" (tasks: ${tasks.join(', ')})`);
    } else {
      task = wanted;
    }
    const group = (getJobVersion(db, alloc.jobId, alloc.jobVersion) ?? getCurrentJobVersion(db, alloc.jobId))?.job.groups.find((g) => g.name === alloc.taskGroup);
    logsDir = allocDirPaths(dataDirOf(args, io), alloc.id, group ? group.tasks.map((t) => t.name) : [task]).logsDir;
  } finally {
    db.close();
  }
  const stream = flagBool(args, 'stderr') ? 'stderr' : 'stdout';
  const n = numberFlag(flagString(args, 'n'), '-n');
  const bytes = numberFlag(flagString(args, 'c'), '-c');
  const tail = n ?? (flagBool(args, 'tail') ? 10 : undefined);
  io.stdout.write(readLogs(logsDir, task, stream, { tail, bytes }));
  if (flagBool(args, 'f')) {
    const ac = new AbortController();
    const stop = (): void => ac.abort();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    try {
      for await (const chunk of followLogs(logsDir, task, stream, ac.signal)) io.stdout.write(chunk);
    } catch (err) {
      if (!ac.signal.aborted) throw err;
    }
  }
  return 0;
};

function numberFlag(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new BivouacError('USAGE', `${name} takes a whole number, not "${v}"`);
  return n;
}
