/** Where a command writes. Commands return their exit code rather than calling process.exit. */
export interface CommandIO {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly isTTY: boolean;
}

export type Command = (argv: readonly string[], io: CommandIO) => Promise<number>;
