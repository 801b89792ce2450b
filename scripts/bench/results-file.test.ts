import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeResultFile, writeResultJson } from './results-file.ts';

describe('bench result files', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('makes the missing directory and leaves only the finished file behind', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'wallai-results-'));
    dirs.push(dir);
    const file = path.join(dir, 'nested', 'result.json');
    writeResultJson(file, { ratio: 1.5, sizes: [1, 2] });
    expect(readFileSync(file, 'utf8')).toBe('{\n  "ratio": 1.5,\n  "sizes": [\n    1,\n    2\n  ]\n}\n');
    expect(readdirSync(path.dirname(file))).toEqual(['result.json']);
  });

  it('replaces an earlier file whole', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'wallai-results-'));
    dirs.push(dir);
    const file = path.join(dir, 'curve.svg');
    writeResultFile(file, '<svg>a much longer first version</svg>');
    writeResultFile(file, '<svg/>');
    expect(readFileSync(file, 'utf8')).toBe('<svg/>');
  });
});
