#!/usr/bin/env node
/**
 * The CLI entry. It only finds the command and loads its module on demand, so that
 * `bivouac version` and `bivouac status` never pay for the HCL parser or anything else
 * they do not use.
 */
import { processIO, type Command, type CommandIO } from './io.js';
import { wantsJobList } from './status-route.js';

/** A command's module, loaded on demand; `argv`: the command's own arguments, for a command whose bundle depends on them. */
type Loader = (argv: readonly string[]) => Promise<Command>;

const COMMANDS: Readonly<Record<string, Loader>> = {
  version: async () => (await import('./version.js')).versionCommand,
  agent: async () => (await import('./agent.js')).agentCommand,
  // The text list has a small bundle of its own; anything else loads the whole command's.
  status: async (argv) => (wantsJobList(argv) ? (await import('./status.js')).statusCommand : (await import('./status-detail.js')).statusCommand),
  'job validate': async () => (await import('./job-validate.js')).jobValidateCommand,
  'job inspect': async () => (await import('./job-inspect.js')).jobInspectCommand,
  'job plan': async () => (await import('./job-plan.js')).jobPlanCommand,
  'job push': async () => (await import('./job-push.js')).jobPushCommand,
  'job status': async (argv) => (wantsJobList(argv) ? (await import('./status.js')).jobStatusCommand : (await import('./status-detail.js')).jobStatusCommand),
  'job dispatch': async () => (await import('./job-dispatch.js')).jobDispatchCommand,
  'job periodic': async () => (await import('./job-periodic.js')).jobPeriodicCommand,
  'alloc status': async () => (await import('./alloc-status.js')).allocStatusCommand,
  'alloc logs': async () => (await import('./alloc-logs.js')).allocLogsCommand,
  'alloc exec': async () => (await import('./alloc-exec.js')).allocExecCommand,
  'node status': async () => (await import('./node-status.js')).nodeStatusCommand,
};

/** One line per command, as Nomad's help lists them; a command without a line is still runnable. */
const SYNOPSIS: Readonly<Record<string, string>> = {
  agent: 'Runs the bivouac agent on a directory of job files',
  status: 'Display the status output for a job, allocation or the node',
  'job validate': 'Checks if a given job file has a valid specification',
  'job inspect': "Print a job file as Nomad's API JSON",
  'job plan': 'Dry-run a job file on this node',
  'job push': 'Register job files with a Nomad cluster',
  'job status': 'Display status information about a job',
  'job dispatch': 'Dispatch an instance of a parameterized job',
  'job periodic': 'Force the launch of a periodic job (job periodic force JOB)',
  'alloc status': 'Display allocation status information and metadata',
  'alloc logs': 'Streams the logs of a task.',
  'alloc exec': 'Execute commands in task',
  'node status': 'Display status information about nodes',
  version: 'Prints the bivouac version',
};

const GROUP_HELP: Readonly<Record<string, string>> = {
  job: 'This command groups subcommands for interacting with jobs.',
  alloc: 'This command groups subcommands for interacting with allocations.',
  node: 'This command groups subcommands for interacting with nodes.',
};

function list(names: readonly string[], strip: string): string {
  const width = Math.max(...names.map((n) => n.length - strip.length));
  return names.map((n) => `    ${n.slice(strip.length).padEnd(width)}    ${SYNOPSIS[n] ?? ''}`.trimEnd()).join('\n');
}

function usage(): string {
  return `Usage: bivouac [-version] [-help] <command> [args]

Common commands:
${list([...Object.keys(SYNOPSIS).filter((k) => COMMANDS[k] !== undefined), ...Object.keys(COMMANDS).filter((k) => SYNOPSIS[k] === undefined)], '')}

Run \`bivouac <command> -help\` for a command's options.
`;
}

function groupUsage(group: string): string {
  return `Usage: bivouac ${group} <subcommand> [options] [args]

  ${GROUP_HELP[group]}

Subcommands:
${list(Object.keys(COMMANDS).filter((k) => k.startsWith(`${group} `)), `${group} `)}
`;
}

export async function main(argv: readonly string[], io: CommandIO): Promise<number> {
  const isHelp = (a: string | undefined): boolean => a === '-h' || a === '-help' || a === '--help' || a === 'help';
  if (argv.length === 0 || isHelp(argv[0])) {
    (argv.length === 0 ? io.stderr : io.stdout).write(usage());
    return argv.length === 0 ? 1 : 0;
  }
  if (argv[0] === '-v' || argv[0] === '--version' || argv[0] === '-version') argv = ['version'];
  const two = `${argv[0]} ${argv[1] ?? ''}`;
  let key: string;
  let rest: readonly string[];
  if (COMMANDS[two]) {
    key = two;
    rest = argv.slice(2);
  } else if (COMMANDS[argv[0]]) {
    key = argv[0];
    rest = argv.slice(1);
  } else if (GROUP_HELP[argv[0]] !== undefined && (argv.length === 1 || isHelp(argv[1]))) {
    (argv.length === 1 ? io.stderr : io.stdout).write(groupUsage(argv[0]));
    return argv.length === 1 ? 1 : 0;
  } else {
    io.stderr.write(`bivouac: unknown command "${argv.slice(0, 2).join(' ')}"\n\n${usage()}`);
    return 1;
  }
  const command = await COMMANDS[key](rest);
  try {
    return await command(rest, io);
  } catch (err) {
    if (isUserError(err)) {
      io.stderr.write(`Error: ${err.userMessage}\n`);
      return 1;
    }
    throw err;
  }
}

/**
 * A BivouacError by its fields, not `instanceof`: each command is a bundle of its own
 * (scripts/bundle.mjs), with its own copy of the class.
 */
function isUserError(err: unknown): err is { readonly code: string; readonly userMessage: string } {
  return err instanceof Error && typeof (err as { code?: unknown }).code === 'string' && typeof (err as { userMessage?: unknown }).userMessage === 'string';
}

const io = processIO();

main(process.argv.slice(2), io).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    io.stderr.write(`bivouac: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 70;
  },
);
