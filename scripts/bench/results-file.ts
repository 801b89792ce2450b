/**
 * How every benchmark writes its results (bench-results/*.json, the curves'
 * SVG files): the directory made when missing, and the file replaced whole
 * (written beside it, then renamed), so a run stopped half-way never leaves
 * half a file where the last good one was.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export function writeResultFile(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

/** The value as indented JSON with a final newline. */
export function writeResultJson(file: string, value: unknown): void {
  writeResultFile(file, `${JSON.stringify(value, null, 2)}\n`);
}
