import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { inMemoryCli, noFiles, type CapturedRun } from '@wallai/testing';
import { describe, expect, it } from 'vitest';
import { parseExpenseLines, PROGRESS_MIN_RECORDS, runCategorizeCli } from './categorize.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const runCategorizeCaptured = inMemoryCli(runCategorizeCli, { readFile: noFiles });
const script = path.join(repoRoot, 'scripts', 'categorize.ts');

function run(argv: string[], input: string, options: { stderrIsTTY?: boolean; files?: Record<string, string> } = {}): Promise<CapturedRun> {
  const readFile = async (file: string): Promise<string> => {
    const content = options.files?.[file];
    if (content === undefined) throw new Error(`ENOENT: no such file ${file}`);
    return content;
  };
  return runCategorizeCaptured(argv, input, { stderrIsTTY: options.stderrIsTTY, io: { readFile } });
}

const line = (description: string, amount = 10): string => JSON.stringify({ description, amount });

describe('categorize CLI', () => {
  it('prints one JSON result per input line, in order', async () => {
    const input = [line('NETFLIX.COM'), line('PUBLIX #1432 CORAL GABLES FL'), line('QZXW 9931')].join('\n');
    const { code, stdout, stderr } = await run([], input);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(
      stdout
        .trimEnd()
        .split('\n')
        .map((text) => JSON.parse(text) as unknown),
    ).toEqual([
      { category: 'subscriptions', confidence: 0.95, source: 'rules' },
      { category: 'groceries', confidence: 0.95, source: 'rules' },
      { category: 'other', confidence: 0.1, source: 'rules' },
    ]);
  });

  it('reads a file, and "-" means stdin', async () => {
    const fromFile = await run(['expenses.jsonl'], '', { files: { 'expenses.jsonl': `${line('NETFLIX.COM')}\n` } });
    const fromDash = await run(['-'], `${line('NETFLIX.COM')}\n`);
    expect(fromFile.stdout).toBe(fromDash.stdout);
    expect(fromFile.stdout).toContain('subscriptions');
  });

  it('a malformed line is reported with its line number', async () => {
    const input = [line('NETFLIX.COM'), '', '{"description": "UBER TRIP"', line('PUBLIX')].join('\n');
    const { code, stdout, stderr } = await run([], input);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^line 3: invalid JSON/m);
  });

  it('reports every invalid line and prints nothing when any is invalid', () => {
    const outcome = parseExpenseLines(
      ['[1]', '{"amount": 3}', '{"description": " "}', '{"description": "x", "amount": "3"}', line('ok')].join('\n'),
    );
    expect(outcome).toEqual({
      ok: false,
      errors: [
        'line 1: expected a JSON object like {"description": "...", "amount": 12.34}',
        'line 2: "description" must be a string',
        'line 3: "description" is empty',
        'line 4: "amount" must be a finite number when present',
      ],
    });
  });

  it('skips blank lines and accepts CRLF and a missing amount', () => {
    expect(parseExpenseLines('{"description":"a"}\r\n\r\n{"description":"b","amount":-2}\r\n')).toEqual({
      ok: true,
      records: [
        { line: 1, description: 'a', amount: undefined },
        { line: 3, description: 'b', amount: -2 },
      ],
    });
  });

  it('restricts answers to --candidates', async () => {
    const { stdout } = await run(['--candidates', 'groceries,other'], line('SHELL OIL 5744 HOUSTON TX'));
    expect(JSON.parse(stdout)).toMatchObject({ category: 'other' });
  });

  it('--help prints usage and an unknown option is a usage error', async () => {
    const help = await run(['--help'], '');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: npx tsx scripts\/categorize\.ts/);
    const bad = await run(['--nope'], '');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unknown option --nope');
  });

  it('an unreadable file is a usage error', async () => {
    const { code, stderr } = await run(['missing.jsonl'], '');
    expect(code).toBe(2);
    expect(stderr).toContain('cannot read missing.jsonl');
  });

  it('draws progress on a terminal for large inputs only', async () => {
    const big = Array.from({ length: PROGRESS_MIN_RECORDS + 1 }, (_, i) => line(`STORE ${i}`)).join('\n');
    const onTerminal = await run([], big, { stderrIsTTY: true });
    const piped = await run([], big, { stderrIsTTY: false });
    const small = await run([], line('NETFLIX.COM'), { stderrIsTTY: true });
    expect(onTerminal.stderr).toContain('100%');
    expect(piped.stderr).toBe('');
    expect(small.stderr).toBe('');
    expect(onTerminal.stdout).toBe(piped.stdout);
    expect(piped.stdout.trimEnd().split('\n')).toHaveLength(PROGRESS_MIN_RECORDS + 1);
  });

  it('runs as a script: exit code, stderr and empty stdout on a bad line', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', script], {
      cwd: repoRoot,
      input: `${line('NETFLIX.COM')}\nnot json\n`,
      encoding: 'utf8',
    });
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('line 2: invalid JSON');
  });
});
