/** Runs a command-line program's main function in-process on in-memory streams, for tests. */
import { PassThrough } from 'node:stream';

/** The standard streams a CLI's main receives with the rest of its I/O. */
export interface CliStreams {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream & { readonly isTTY?: boolean; readonly columns?: number };
  readonly stdin: NodeJS.ReadableStream & { readonly isTTY?: boolean };
}

export type CliMain<Io extends CliStreams> = (argv: readonly string[], io: Io) => Promise<number>;

export interface CapturedRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CaptureOptions<Io extends CliStreams> {
  /** Whether stderr claims to be a terminal (progress bars draw only then). */
  stderrIsTTY?: boolean;
  /** The rest of the CLI's I/O for this run (files to read, the database to open), over the defaults. */
  io?: Partial<Omit<Io, keyof CliStreams>>;
}

/**
 * `main` bound to in-memory streams: each call feeds `input` on stdin and
 * returns the exit code with everything written to stdout and stderr (80
 * columns). `defaults` is the rest of its I/O unless a run overrides it.
 */
export function inMemoryCli<Io extends CliStreams>(
  main: CliMain<Io>,
  defaults: Omit<Io, keyof CliStreams>,
): (argv: string[], input: string, options?: CaptureOptions<Io>) => Promise<CapturedRun> {
  return async (argv, input, options = {}) => {
    const stdout = new PassThrough();
    const stderr = Object.assign(new PassThrough(), { isTTY: options.stderrIsTTY ?? false, columns: 80 });
    const stdin = Object.assign(new PassThrough(), { isTTY: false });
    let out = '';
    let err = '';
    stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    stdin.end(input);
    // Omit<Io, streams> plus the streams is Io; TypeScript cannot see that through the generic.
    const io = { ...defaults, ...options.io, stdout, stderr, stdin } as unknown as Io;
    const code = await main(argv, io);
    return { code, stdout: out, stderr: err };
  };
}

/** A `readFile` for runs that must not read files. */
export const noFiles = (): Promise<string> => Promise.reject(new Error('no files here'));
