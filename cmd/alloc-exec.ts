/**
 * `bivouac alloc exec [-task T] [-i] [-t] ALLOC CMD [ARGS…]`: runs a command in a running
 * task's context, locally and as root (the CLI does it itself; there is no agent RPC). The
 * exit code is the command's; stdin, stdout and stderr are the caller's, and with -t (the default
 * when stdin is a terminal, as Nomad's) the command gets a pseudo-terminal of its own.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { constants } from 'node:os';
import { resolve } from 'node:path';
import type { Command } from './io.js';
import { flagBool, flagString, parseArgs } from './args.js';
import { allocOrReport, dataDirOf, openReadonly } from './common.js';

const HELP = `Usage: bivouac alloc exec [options] <allocation> <command> [<args>...]

  Run command inside the environment of the given allocation and task.

Exec Specific Options:

  -task <task-name>
    Sets the task to exec command in. Required when the group has more than one task.

  -i
    Pass stdin to the command, defaults to true. Use -i=false to close it.

  -t
    Allocate a pseudo-tty, defaults to true if stdin is detected to be a tty session.
    The pseudo-terminal comes from util-linux's script(1); output and errors then
    both arrive on it, as on any terminal.

  -data-dir <dir>
    The agent's data directory (env BIVOUAC_DATA_DIR; default .bivouac).

  -config <path>
    The agent's config file (env BIVOUAC_CONFIG), for rkt's path and data dir
    (env BIVOUAC_RKT_PATH also works).

Drivers: raw_exec (in the task dir, with the task's environment and user), exec
(inside the task's cgroup, namespaces and root, as its user: nsenter) and rkt
(\`rkt enter <pod>\`).
`;

const FLAGS = { 'data-dir': 'string', config: 'string', task: 'string', i: 'bool', t: 'bool', help: 'bool' } as const;

export const allocExecCommand: Command = async (argv, io) => {
  // Flags end at the allocation ID: everything after it is the command's own.
  const firstPositional = argv.findIndex((a, i) => !a.startsWith('-') && !(i > 0 && /^--?(task|data-dir|config)$/.test(argv[i - 1])));
  const own = firstPositional < 0 ? argv : argv.slice(0, firstPositional + 1);
  const command = firstPositional < 0 ? [] : argv.slice(firstPositional + 1);
  const args = parseArgs(own, FLAGS);
  if (flagBool(args, 'help')) {
    io.stdout.write(HELP);
    return 0;
  }
  if (args.positional.length !== 1 || command.length === 0) {
    io.stderr.write(`This command takes arguments: <allocation> <command>\n${HELP}`);
    return 1;
  }
  const dataDir = dataDirOf(args, io);
  const db = await openReadonly(args, io);
  let found;
  try {
    const alloc = allocOrReport(db, args.positional[0], io, 'Alloc ID');
    if (alloc === null) return 1;
    const { execTarget } = await import('../src/cli/exec-target.js');
    const hostEnv = Object.fromEntries(Object.entries(io.env).filter((e): e is [string, string] => e[1] !== undefined));
    found = await execTarget({ db, dataDir, alloc, task: flagString(args, 'task') ?? null, hostEnv, procRoot: '/proc' });
  } finally {
    db.close();
  }
  const stdin = args.flags.i === false ? 'ignore' : 'inherit';
  // Nomad's default: a pseudo-terminal when stdin is a terminal, or when -t asks for one.
  const tty = typeof args.flags.t === 'boolean' ? args.flags.t : process.stdin.isTTY === true;
  const { target } = found;
  let spec: { file: string; args: string[]; env?: NodeJS.ProcessEnv; cwd?: string; uid?: number; gid?: number };
  if (target.kind === 'host') {
    spec = { file: command[0], args: command.slice(1), env: target.env, cwd: target.cwd, ...(target.uid !== null && target.gid !== null ? { uid: target.uid, gid: target.gid } : {}) };
  } else if (target.kind === 'namespaces') {
    // A root shell joins the task's cgroup first, then becomes nsenter: nothing of the
    // command runs outside the cgroup. nsenter forks into the PID namespace and passes the
    // command's exit status on.
    const join = 'while [ "$1" != -- ]; do echo $$ > "$1" || exit 125; shift; done; shift; exec "$@"';
    const nsenter = [hostNsenter(), `--target=${target.pid}`, '--mount', '--uts', '--ipc', '--pid', '--root', '--wd', `--setuid=${target.uid}`, `--setgid=${target.gid}`, '--', ...command];
    spec = { file: '/bin/sh', args: ['-c', join, 'sh', ...target.procsFiles, '--', ...nsenter], env: target.env };
  } else {
    // rkt as the agent calls it: its config file's rkt_dir and rkt path, then the environment.
    const { configFromEnv, mergeConfig } = await import('../src/agent/config.js');
    const configPath = flagString(args, 'config') ?? io.env.BIVOUAC_CONFIG;
    const fileLayer = configPath ? await (await import('./agent.js')).loadConfigFile(resolve(io.cwd, configPath)) : {};
    const rkt = mergeConfig(fileLayer, configFromEnv(io.env)).rkt;
    const dir = rkt.dir === null ? [] : [`--dir=${rkt.dir}`];
    spec = { file: rkt.path, args: [...dir, 'enter', target.uuid, ...command] };
  }
  if (tty) {
    const script = hostScript();
    if (script === null) {
      io.stderr.write('alloc exec -t needs a pseudo-terminal broker: util-linux\'s script(1) (package bsdutils or util-linux) was not found in /usr/bin or /bin; install it, or run with -t=false\n');
      return 1;
    }
    spec = { ...spec, ...throughPty(script, spec.file, spec.args, spec.env ?? io.env) };
  }
  const child = spawn(spec.file, spec.args, {
    stdio: [stdin, 'inherit', 'inherit'],
    ...(spec.env ? { env: spec.env } : {}),
    ...(spec.cwd ? { cwd: spec.cwd } : {}),
    ...(spec.uid !== undefined && spec.gid !== undefined ? { uid: spec.uid, gid: spec.gid } : {}),
  });
  // The command decides what a signal means. A terminal's ^C reaches it directly (same
  // process group); signals sent to this CLI alone are passed on.
  const forward = (sig: NodeJS.Signals): void => {
    if (sig !== 'SIGINT' || !process.stdin.isTTY) child.kill(sig);
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'];
  for (const sig of signals) process.on(sig, forward);
  return new Promise<number>((done) => {
    child.on('error', (err) => {
      io.stderr.write(`failed to exec into task: ${err.message}\n`);
      done(1);
    });
    // A command killed by a signal ends as a shell reports it: 128 + the signal number.
    child.on('exit', (code, signal) => done(code ?? 128 + signalNumber(signal)));
  }).finally(() => {
    for (const sig of signals) process.off(sig, forward);
  });
};

/** util-linux's script(1): Node has no pty API, and script is on every util-linux system (Debian's bsdutils is essential). */
function hostScript(): string | null {
  return ['/usr/bin/script', '/bin/script'].find((p) => existsSync(p)) ?? null;
}

const shellQuote = (a: string): string => `'${a.replace(/'/g, `'\\''`)}'`;

/**
 * The command on a pseudo-terminal of its own: script(1) opens one, makes it the command's
 * controlling terminal and stdin/stdout/stderr, relays the caller's stdin (raw, when that is
 * a terminal, window size included) and returns the command's exit status (-e). script runs
 * its -c string with $SHELL, so SHELL is /bin/sh for script and the command gets its own back.
 */
function throughPty(script: string, file: string, args: readonly string[], env: NodeJS.ProcessEnv): { file: string; args: string[]; env: NodeJS.ProcessEnv } {
  const restore = env.SHELL === undefined ? 'unset SHELL; ' : `SHELL=${shellQuote(env.SHELL)}; export SHELL; `;
  const line = `${restore}exec ${[file, ...args].map(shellQuote).join(' ')}`;
  return { file: script, args: ['-q', '-e', '-E', 'never', '-c', line, '/dev/null'], env: { ...env, SHELL: '/bin/sh' } };
}

/** nsenter from the host's own directories, never from the task's PATH. */
function hostNsenter(): string {
  return ['/usr/bin/nsenter', '/bin/nsenter', '/usr/sbin/nsenter', '/sbin/nsenter'].find((p) => existsSync(p)) ?? 'nsenter';
}

function signalNumber(signal: NodeJS.Signals | null): number {
  return signal === null ? 0 : constants.signals[signal];
}
