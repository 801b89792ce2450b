/** Runs the categorize CLI in-process on in-memory streams, for tests. */
import { PassThrough } from 'node:stream';
import { runCategorizeCli, type CliIo } from '../categorize.ts';

export interface CapturedRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CaptureOptions {
  /** Whether stderr claims to be a terminal (the progress bar draws only then). */
  stderrIsTTY?: boolean;
  /** The rest of the CLI's I/O: files to read, the database to open. */
  io?: Partial<Pick<CliIo, 'readFile' | 'openDatabase'>>;
}

export async function runCategorizeCaptured(argv: string[], input: string, options: CaptureOptions = {}): Promise<CapturedRun> {
  const stdout = new PassThrough();
  const stderr = Object.assign(new PassThrough(), { isTTY: options.stderrIsTTY ?? false, columns: 80 });
  const stdin = Object.assign(new PassThrough(), { isTTY: false });
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  stdin.end(input);
  const io: CliIo = {
    readFile: () => Promise.reject(new Error('no files here')),
    ...options.io,
    stdout,
    stderr,
    stdin,
  };
  const code = await runCategorizeCli(argv, io);
  return { code, stdout: out, stderr: err };
}
