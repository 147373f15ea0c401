#!/usr/bin/env node
/**
 * The CLI entry. It only finds the command and loads its module on demand, so that
 * `bivouac version` and `bivouac status` never pay for the HCL parser or anything else
 * they do not use.
 */
import type { Command, CommandIO } from './io.js';

type Loader = () => Promise<Command>;

const COMMANDS: Readonly<Record<string, Loader>> = {
  version: async () => (await import('./version.js')).versionCommand,
  agent: async () => (await import('./agent.js')).agentCommand,
  status: async () => (await import('./status.js')).statusCommand,
  'job validate': async () => (await import('./job-validate.js')).jobValidateCommand,
  'job inspect': async () => (await import('./job-inspect.js')).jobInspectCommand,
  'job plan': async () => (await import('./job-plan.js')).jobPlanCommand,
  'job status': async () => (await import('./status.js')).statusCommand,
  'job dispatch': async () => (await import('./job-dispatch.js')).jobDispatchCommand,
  'job periodic': async () => (await import('./job-periodic.js')).jobPeriodicCommand,
  'alloc status': async () => (await import('./alloc-status.js')).allocStatusCommand,
  'alloc logs': async () => (await import('./alloc-logs.js')).allocLogsCommand,
  'node status': async () => (await import('./node-status.js')).nodeStatusCommand,
};

const USAGE = `Usage: bivouac <command> [args]

Commands:
    agent           Run the agent on a directory of job files
    status          List jobs, or show one job's status
    job validate    Check job files for errors
    job inspect     Print a job file as Nomad's API JSON
    job plan        Dry-run a job file's placement on this node
    job status      Same as status
    job dispatch    Dispatch an instance of a parameterized job
    job periodic    Force the launch of a periodic job (job periodic force JOB)
    alloc status    Show an allocation and its task events
    alloc logs      Print a task's stdout or stderr
    node status     Show this node's drivers and attributes
    version         Print the bivouac version
`;

export async function main(argv: readonly string[], io: CommandIO): Promise<number> {
  if (argv.length === 0 || argv[0] === '-h' || argv[0] === '--help' || argv[0] === 'help') {
    (argv.length === 0 ? io.stderr : io.stdout).write(USAGE);
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
  } else {
    io.stderr.write(`bivouac: unknown command "${argv.slice(0, 2).join(' ')}"\n\n${USAGE}`);
    return 1;
  }
  const command = await COMMANDS[key]();
  try {
    return await command(rest, io);
  } catch (err) {
    const { BivouacError } = await import('../src/util/errors.js');
    if (err instanceof BivouacError) {
      io.stderr.write(`Error: ${err.userMessage}\n`);
      return 1;
    }
    throw err;
  }
}

const io: CommandIO = {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
  isTTY: Boolean(process.stdout.isTTY),
};

main(process.argv.slice(2), io).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`bivouac: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 70;
  },
);
