import { writeSync } from 'node:fs';

/** What a command writes its output and errors to: all it does with them is write. */
export interface Writer {
  write(chunk: string | Uint8Array): unknown;
}

/** Where a command writes. Commands return their exit code rather than calling process.exit. */
export interface CommandIO {
  readonly stdout: Writer;
  readonly stderr: Writer;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly isTTY: boolean;
}

export type Command = (argv: readonly string[], io: CommandIO) => Promise<number>;

/**
 * The process's own IO. Output goes to fd 1 and 2 with write(2), in order and synchronously,
 * as Node's own stdio streams write on Linux to files, pipes and terminals alike; but without
 * building process.stdout and process.stderr, which a cold command paid ~3 ms for when they
 * are pipes (a net.Socket each: Node's stream and net modules compiled on first use).
 * A descriptor left non-blocking by whoever gave it (write(2) answers EAGAIN) is handed to
 * Node's stream from then on, which waits it out; a reader gone (EPIPE) ends the output.
 */
export function processIO(): CommandIO {
  return {
    stdout: fdWriter(1, () => process.stdout),
    stderr: fdWriter(2, () => process.stderr),
    env: process.env,
    cwd: process.cwd(),
    // Only the agent asks (for its log format): the stream is built then, not for every command.
    get isTTY(): boolean {
      return Boolean(process.stdout.isTTY);
    },
  };
}

function fdWriter(fd: 1 | 2, stream: () => NodeJS.WriteStream): Writer {
  let fallback: NodeJS.WriteStream | null = null;
  let closed = false;
  return {
    write(chunk: string | Uint8Array): boolean {
      if (fallback !== null) return fallback.write(chunk);
      if (closed) return false;
      let bytes: Uint8Array | null = null;
      let off = 0;
      try {
        // A string goes as it is, without a copy to a Buffer, unless its write falls short.
        if (typeof chunk === 'string') {
          off = writeSync(fd, chunk);
          if (off === Buffer.byteLength(chunk)) return true;
          bytes = Buffer.from(chunk);
        } else {
          bytes = chunk;
        }
        while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
        return true;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN') {
          fallback = stream();
          // Nothing of a string was written if its first write failed: bytes is still null.
          return fallback.write(bytes === null ? chunk : bytes.subarray(off));
        }
        if (code === 'EPIPE') {
          closed = true;
          return false;
        }
        throw err;
      }
    },
  };
}
