import { spawn } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from '@wallai/db-client';

const supabaseBin = path.join(repoRoot, 'node_modules', '.bin', 'supabase');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the project's pinned Supabase CLI from the repository root. */
export function runSupabase(args: readonly string[], options: { echo?: boolean } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(supabaseBin, args, {
      cwd: repoRoot,
      env: { ...process.env, SUPABASE_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk;
      if (options.echo) process.stdout.write(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk;
      if (options.echo) process.stderr.write(chunk);
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

/** Same as runSupabase, but a non-zero exit becomes an error carrying the CLI's own output. */
export async function runSupabaseOrFail(args: readonly string[], options: { echo?: boolean } = {}): Promise<CliResult> {
  const result = await runSupabase(args, options);
  if (result.code !== 0) {
    throw new Error(`supabase ${args[0] ?? ''} ${args[1] ?? ''} failed (exit ${result.code}):\n${result.stderr || result.stdout}`);
  }
  return result;
}
